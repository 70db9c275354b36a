package planner

// mergeProjects rewrites Project(Project(x)) into one Project over x by
// substituting the inner expressions into the outer ones, so that a query
// computes each column once. It runs on the whole tree after binding.
func mergeProjects(n Node) Node {
	switch x := n.(type) {
	case *Project:
		x.Input = mergeProjects(x.Input)
		inner, ok := x.Input.(*Project)
		if !ok {
			return x
		}
		exprs := make([]Expr, len(x.Exprs))
		for i, e := range x.Exprs {
			exprs[i] = substitute(e, inner.Exprs)
		}
		return &Project{Input: inner.Input, Exprs: exprs, Out: x.Out, Watermark: x.Watermark}
	case *Filter:
		x.Input = mergeProjects(x.Input)
	case *Aggregate:
		x.Input = mergeProjects(x.Input)
	case *Limit:
		x.Input = mergeProjects(x.Input)
	case *Sort:
		x.Input = mergeProjects(x.Input)
	case *LookupJoin:
		x.Input = mergeProjects(x.Input)
	case *Sink:
		x.Input = mergeProjects(x.Input)
	}
	return n
}
