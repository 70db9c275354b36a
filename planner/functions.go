package planner

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/parser"
)

// The scalar function registry. Every operator and function a bound
// expression may call is listed here under its canonical lower-case name,
// with its arity and a resolver that checks the argument types, chooses the
// type each argument is converted to and the result type. NewCall inserts
// the conversions, so that executor/expr only ever sees arguments of the
// types the resolver chose.

// resolver returns the type each argument is converted to and the result
// type, or an error naming the function as the user called it (display).
type resolver func(display string, args []Expr) (params []arrow.DataType, ret arrow.DataType, err error)

// funcSpec is one entry of the registry.
type funcSpec struct {
	min, max int // number of arguments; max < 0: no upper bound
	resolve  resolver
	// build, when set, replaces the call by another expression (DATE_ADD
	// becomes +, FROM_UNIXTIME(x, fmt) becomes DATE_FORMAT(...)). It runs
	// after the arity check and instead of resolve.
	build func(display string, args []Expr) (Expr, error)
}

// aliases maps other spellings to canonical names.
var aliases = map[string]string{
	"<>": "!=", "mod": "%", "substr": "substring", "ceiling": "ceil", "pow": "power",
	"locate": "position", "current_timestamp": "now", "localtimestamp": "now", "localtime": "now",
	"dayofmonth": "day", "ifnull": "coalesce", "nvl": "coalesce", "lcase": "lower", "ucase": "upper",
	"character_length": "char_length", "octet_length": "length", "log": "ln",
	"adddate": "date_add", "subdate": "date_sub", "rlike": "regexp", "regexp_like": "regexp",
}

var registry map[string]funcSpec

func init() {
	registry = map[string]funcSpec{
		// arithmetic
		"+":   {2, 2, resolveAddSub, nil},
		"-":   {2, 2, resolveAddSub, nil},
		"*":   {2, 2, numericSame, nil},
		"/":   {2, 2, numericTo(catalog.Float64, catalog.Float64), nil},
		"%":   {2, 2, numericSame, nil},
		"div": {2, 2, resolveIntDiv, nil},
		"neg": {1, 1, resolveNeg, nil},
		// comparison
		"=": {2, 2, compare(false), nil}, "!=": {2, 2, compare(false), nil},
		"<": {2, 2, compare(true), nil}, "<=": {2, 2, compare(true), nil},
		">": {2, 2, compare(true), nil}, ">=": {2, 2, compare(true), nil},
		"<=>":         {2, 2, compare(false), nil},
		"in":          {2, -1, compare(false), nil},
		"not_in":      {2, -1, compare(false), nil},
		"between":     {3, 3, compare(true), nil},
		"not_between": {3, 3, compare(true), nil},
		// logic and truth
		"and":     {2, 2, sig(catalog.Bool, catalog.Bool, catalog.Bool), nil},
		"or":      {2, 2, sig(catalog.Bool, catalog.Bool, catalog.Bool), nil},
		"xor":     {2, 2, sig(catalog.Bool, catalog.Bool, catalog.Bool), nil},
		"not":     {1, 1, sig(catalog.Bool, catalog.Bool), nil},
		"is_null": {1, 1, anyArgs(catalog.Bool), nil}, "is_not_null": {1, 1, anyArgs(catalog.Bool), nil},
		"is_true": {1, 1, sig(catalog.Bool, catalog.Bool), nil}, "is_not_true": {1, 1, sig(catalog.Bool, catalog.Bool), nil},
		"is_false": {1, 1, sig(catalog.Bool, catalog.Bool), nil}, "is_not_false": {1, 1, sig(catalog.Bool, catalog.Bool), nil},
		// patterns
		"like":       {2, 3, sig(catalog.Bool, catalog.String, catalog.String, catalog.String), nil},
		"not_like":   {2, 3, sig(catalog.Bool, catalog.String, catalog.String, catalog.String), nil},
		"ilike":      {2, 3, sig(catalog.Bool, catalog.String, catalog.String, catalog.String), nil},
		"not_ilike":  {2, 3, sig(catalog.Bool, catalog.String, catalog.String, catalog.String), nil},
		"regexp":     {2, 2, sig(catalog.Bool, catalog.String, catalog.String), nil},
		"not_regexp": {2, 2, sig(catalog.Bool, catalog.String, catalog.String), nil},
		// conditionals
		"case":     {3, -1, resolveCase, nil},
		"if":       {3, 3, resolveIf, nil},
		"coalesce": {1, -1, merge(false), nil},
		"nullif":   {2, 2, merge(false), nil},
		"greatest": {1, -1, merge(true), nil},
		"least":    {1, -1, merge(true), nil},
		// strings
		"upper":       {1, 1, sig(catalog.String, catalog.String), nil},
		"lower":       {1, 1, sig(catalog.String, catalog.String), nil},
		"reverse":     {1, 1, sig(catalog.String, catalog.String), nil},
		"trim":        {1, 2, sig(catalog.String, catalog.String, catalog.String), nil},
		"ltrim":       {1, 2, sig(catalog.String, catalog.String, catalog.String), nil},
		"rtrim":       {1, 2, sig(catalog.String, catalog.String, catalog.String), nil},
		"length":      {1, 1, sig(catalog.Int64, catalog.String), nil},
		"char_length": {1, 1, sig(catalog.Int64, catalog.String), nil},
		"concat":      {1, -1, sig(catalog.String, catalog.String), nil},
		"concat_ws":   {2, -1, sig(catalog.String, catalog.String), nil},
		"substring":   {2, 3, sig(catalog.String, catalog.String, catalog.Int64, catalog.Int64), nil},
		"replace":     {3, 3, sig(catalog.String, catalog.String, catalog.String, catalog.String), nil},
		"left":        {2, 2, sig(catalog.String, catalog.String, catalog.Int64), nil},
		"right":       {2, 2, sig(catalog.String, catalog.String, catalog.Int64), nil},
		"position":    {2, 3, sig(catalog.Int64, catalog.String, catalog.String, catalog.Int64), nil},
		// math
		"abs":   {1, 1, numericSame, nil},
		"round": {1, 2, resolveRound, nil},
		"floor": {1, 1, numericSame, nil},
		"ceil":  {1, 1, numericSame, nil},
		"sign":  {1, 1, numericTo(nil, catalog.Int64), nil},
		"power": {2, 2, sig(catalog.Float64, catalog.Float64, catalog.Float64), nil},
		"sqrt":  {1, 1, sig(catalog.Float64, catalog.Float64), nil},
		"ln":    {1, 1, sig(catalog.Float64, catalog.Float64), nil},
		"log2":  {1, 1, sig(catalog.Float64, catalog.Float64), nil},
		"log10": {1, 1, sig(catalog.Float64, catalog.Float64), nil},
		"exp":   {1, 1, sig(catalog.Float64, catalog.Float64), nil},
		// JSON
		"json_extract": {2, 2, sig(catalog.String, catalog.String, catalog.String), nil},
		"json_value":   {2, 2, sig(catalog.String, catalog.String, catalog.String), nil},
		"json_unquote": {1, 1, sig(catalog.String, catalog.String), nil},
		// nested values
		"element_at":  {2, 2, resolveElementAt, nil},
		"cardinality": {1, 1, resolveCardinality, nil},
		// time
		"now":            {0, 1, nil, buildNow},
		"unix_timestamp": {0, 1, sig(catalog.Int64, catalog.Timestamp), nil},
		"from_unixtime":  {1, 2, nil, buildFromUnixtime},
		"to_timestamp":   {1, 2, nil, buildToTimestamp},
		"date_format":    {2, 2, sig(catalog.String, catalog.Timestamp, catalog.String), nil},
		"date_add":       {2, 2, nil, buildDateArith("+")},
		"date_sub":       {2, 2, nil, buildDateArith("-")},
		"date":           {1, 1, sig(catalog.Date, catalog.Timestamp), nil},
	}
	for _, f := range TimeFields {
		registry[f] = funcSpec{1, 1, sig(catalog.Int64, catalog.Timestamp), nil}
	}
}

// TimeFields are the functions that extract one field of a timestamp as a
// BIGINT (EXTRACT(unit FROM ts) binds to them).
var TimeFields = []string{"year", "quarter", "month", "week", "day", "hour", "minute", "second",
	"microsecond", "dayofweek", "dayofyear"}

// NewCall builds a call of the named function or operator (any spelling:
// "SUBSTR", "<>", "is_not_null"), checking the arguments and converting
// them to the types the function takes. Errors are *parser.Error without a
// position; BindExpr gives them the position of the call.
func NewCall(name string, args []Expr) (Expr, error) {
	e, err := newCall(name, args)
	var le *literalError
	if errors.As(err, &le) {
		return nil, le.err
	}
	return e, err
}

// newCall is NewCall whose conversion errors keep the literal at fault.
func newCall(name string, args []Expr) (Expr, error) {
	lname := strings.ToLower(name)
	display := displayName(lname)
	canon := lname
	if a, ok := aliases[lname]; ok {
		canon = a
	}
	spec, ok := registry[canon]
	if !ok {
		if canon == "cast" || canon == "try_cast" {
			return nil, userErr("", "%s needs a target type: use NewCast", display)
		}
		return nil, unknownFunction(name)
	}
	if len(args) < spec.min || (spec.max >= 0 && len(args) > spec.max) {
		return nil, arityErr(display, spec, len(args))
	}
	if spec.build != nil {
		return spec.build(display, args)
	}
	params, ret, err := spec.resolve(display, args)
	if err != nil {
		return nil, err
	}
	out := make([]Expr, len(args))
	for i, a := range args {
		if out[i], err = coerce(a, params[i]); err != nil {
			return nil, err
		}
	}
	return &Call{Func: canon, Args: out, Typ: ret}, nil
}

// NewCast builds CAST(e AS to), or TRY_CAST when try is set (NULL instead
// of an error for values that do not convert). Literals are converted now.
func NewCast(e Expr, to arrow.DataType, try bool) (Expr, error) {
	from := e.Type()
	if !castable(from, to) {
		return nil, userErr("", "cannot cast %s to %s", SQLTypeName(from), SQLTypeName(to))
	}
	if arrow.TypeEqual(from, to) {
		return e, nil
	}
	if l, ok := e.(*Literal); ok {
		v, err := CastValue(l.Value, l.Typ, to)
		if err != nil {
			if !try {
				return nil, userErr("", "%v", err)
			}
			v = nil
		}
		return &Literal{Value: v, Typ: to}, nil
	}
	fn := "cast"
	if try {
		fn = "try_cast"
	}
	return &Call{Func: fn, Args: []Expr{e}, Typ: to}, nil
}

// FunctionNames lists every function name NewCall accepts, aliases
// included, in upper case and sorted (operators excluded).
func FunctionNames() []string {
	var out []string
	add := func(n string) {
		if n[0] >= 'a' && n[0] <= 'z' && !strings.Contains(n, "_not_") && !strings.HasPrefix(n, "not_") &&
			!strings.HasPrefix(n, "is_") && n != "neg" && n != "between" && n != "in" && n != "case" {
			out = append(out, strings.ToUpper(n))
		}
	}
	for n := range registry {
		add(n)
	}
	for n := range aliases {
		add(n)
	}
	out = append(out, "CAST", "TRY_CAST", "EXTRACT")
	sort.Strings(out)
	return out
}

// userErr is an error in the user's SQL whose position the binder fills in.
func userErr(hint, format string, args ...any) *parser.Error {
	return &parser.Error{Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// displayName is how messages name a function or operator.
func displayName(name string) string {
	switch name {
	case "neg":
		return "-"
	case "in", "not_in", "between", "not_between", "like", "not_like", "ilike", "not_ilike", "not_regexp",
		"is_null", "is_not_null", "is_true", "is_not_true", "is_false", "is_not_false", "and", "or", "xor", "not":
		return strings.ToUpper(strings.ReplaceAll(name, "_", " "))
	}
	return strings.ToUpper(name)
}

func arityErr(display string, spec funcSpec, got int) error {
	var want string
	switch {
	case spec.min == spec.max:
		want = fmt.Sprintf("%d", spec.min)
	case spec.max < 0:
		want = fmt.Sprintf("at least %d", spec.min)
	case spec.max == spec.min+1:
		want = fmt.Sprintf("%d or %d", spec.min, spec.max)
	default:
		want = fmt.Sprintf("%d to %d", spec.min, spec.max)
	}
	noun := "arguments"
	if want == "1" {
		noun = "argument"
	}
	return userErr("", "%s takes %s %s, got %d", display, want, noun, got)
}

// cannotApply is the type error of a call: "cannot apply + to VARCHAR and BIGINT".
func cannotApply(display string, args []Expr, hint string) error {
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = SQLTypeName(a.Type())
	}
	list := names[0]
	if len(names) > 1 {
		list = strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	return userErr(hint, "cannot apply %s to %s", display, list)
}

func unknownFunction(name string) error {
	upper := strings.ToUpper(name)
	var close []string
	for _, n := range FunctionNames() {
		if d := editDistance(upper, n); d <= 2 || (len(upper) >= 4 && strings.HasPrefix(n, upper)) {
			close = append(close, n)
		}
	}
	hint := ""
	switch len(close) {
	case 0:
	case 1:
		hint = "did you mean " + close[0] + "?"
	default:
		if len(close) > 4 {
			close = close[:4]
		}
		hint = "did you mean " + strings.Join(close[:len(close)-1], ", ") + " or " + close[len(close)-1] + "?"
	}
	return userErr(hint, "unknown function %s", upper)
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
