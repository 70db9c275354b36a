package expr

import "math"

// The kernel registry: one factory per canonical function name of
// planner/functions.go. A factory runs once per call site, at compile
// time, and may specialise on the argument types and constant arguments.

type kernelSpec struct {
	factory  func(*callInfo) (kernel, error)
	volatile bool // never folded: the value changes between batches (NOW())
}

var kernels map[string]kernelSpec

func init() {
	k := func(f func(*callInfo) (kernel, error)) kernelSpec { return kernelSpec{factory: f} }
	kernels = map[string]kernelSpec{
		"+": k(addKernel), "-": k(subKernel), "*": k(mulKernel), "/": k(divKernel),
		"%": k(modKernel), "div": k(intDivKernel), "neg": k(negKernel),

		"=": k(compareKernel), "!=": k(compareKernel), "<": k(compareKernel),
		"<=": k(compareKernel), ">": k(compareKernel), ">=": k(compareKernel),
		"<=>": k(nullSafeEqualKernel), "between": k(betweenKernel), "not_between": k(betweenKernel),
		"in": k(inKernel), "not_in": k(inKernel),

		"and": k(logicKernel), "or": k(logicKernel), "xor": k(logicKernel), "not": k(logicKernel),
		"is_null": k(isNullKernel), "is_not_null": k(isNullKernel),
		"is_true": k(isTruthKernel), "is_not_true": k(isTruthKernel),
		"is_false": k(isTruthKernel), "is_not_false": k(isTruthKernel),

		"like": k(patternKernel), "not_like": k(patternKernel), "ilike": k(patternKernel),
		"not_ilike": k(patternKernel), "regexp": k(patternKernel), "not_regexp": k(patternKernel),

		"case": k(caseKernel), "if": k(caseKernel), "coalesce": k(coalesceKernel),
		"nullif": k(nullifKernel), "greatest": k(extremeKernel), "least": k(extremeKernel),

		"upper": k(strKernel(upper)), "lower": k(strKernel(lower)), "reverse": k(strKernel(reverse)),
		"replace": k(strKernel(replace)), "concat": k(strKernel(concat)), "concat_ws": k(concatWSKernel),
		"trim": k(trimKernel), "ltrim": k(trimKernel), "rtrim": k(trimKernel),
		"length": k(lengthKernel), "char_length": k(lengthKernel),
		"substring": k(substringKernel), "left": k(leftKernel), "right": k(rightKernel),
		"position": k(positionKernel),

		"abs": k(absKernel), "round": k(roundKernel), "floor": k(floorKernel), "ceil": k(ceilKernel),
		"sign": k(signKernel), "power": k(powerKernel), "sqrt": k(mathKernel(math.Sqrt)),
		"ln": k(mathKernel(math.Log)), "log2": k(mathKernel(math.Log2)),
		"log10": k(mathKernel(math.Log10)), "exp": k(mathKernel(math.Exp)),

		"json_extract": k(jsonPathKernel), "json_value": k(jsonPathKernel),
		"json_unquote": k(strKernel(jsonUnquote)),

		"now":            {factory: nowKernel, volatile: true},
		"unix_timestamp": {factory: unixTimestampKernel, volatile: true},
		"from_unixtime":  k(fromUnixtimeKernel),
		"to_timestamp":   k(toTimestampKernel),
		"date_format":    k(dateFormatKernel),
		"date":           k(dateKernel),

		"cast": k(castKernel), "try_cast": k(castKernel),

		"field": k(fieldKernel), "element_at": k(elementAtKernel), "cardinality": k(cardinalityKernel),
	}
	for name := range timeFields {
		kernels[name] = k(timeFieldKernel)
	}
}
