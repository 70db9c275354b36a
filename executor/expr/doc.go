// Package expr evaluates bound planner expressions over Arrow record
// batches.
//
// Compile turns a planner.Expr into an Evaluator once, resolving every
// function to a kernel for its argument types; evaluating a batch then only
// runs kernels. A kernel receives its arguments as Values: an Array with one
// value per row, or a Scalar that stands for every row. Literals stay
// scalars all the way through (a scalar-op-array kernel reads the scalar
// directly and never broadcasts it), and a call whose arguments are all
// constant is folded into a constant at compile time. Only EvalArray, at the
// edge, turns a scalar result into a column.
//
// + - *, comparisons, BETWEEN, constant IN lists (a hash lookup), AND, OR
// and XOR use Arrow's compute kernels; everything else (string equality
// with a constant, division with SQL's NULL on zero, NOT, strings, LIKE,
// JSON paths, time fields and formats, casts, CASE) is a typed loop over
// the arrays' value buffers and validity bitmaps, with no per-row boxing.
// Function names are the canonical names of planner/functions.go; the
// kernel for each is chosen in registry.go.
//
// Ownership: an Array in a Value belongs to whoever receives the Value, who
// must Release it. Kernels never release their arguments; the call node
// that evaluated them does.
package expr
