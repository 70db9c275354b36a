package planner

// mergeProjects rewrites Project(Project(x)) into one Project over x by
// substituting the inner expressions into the outer ones, so that a query
// computes each column once; a Project over Values becomes Values whose
// rows are the projection of the rows. It runs on the whole tree after
// binding.
func mergeProjects(n Node) Node {
	switch x := n.(type) {
	case *Project:
		x.Input = mergeProjects(x.Input)
		if v, ok := x.Input.(*Values); ok {
			rows := make([][]Expr, len(v.Rows))
			for i, row := range v.Rows {
				rows[i] = make([]Expr, len(x.Exprs))
				for j, e := range x.Exprs {
					rows[i][j] = foldCast(substitute(e, row))
				}
			}
			return &Values{Rows: rows, Out: x.Out}
		}
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
	case *Unnest:
		x.Input = mergeProjects(x.Input)
	case *Sink:
		x.Input = mergeProjects(x.Input)
	case *Union:
		for i, in := range x.Inputs {
			x.Inputs[i] = mergeProjects(in)
		}
	}
	return n
}

// foldCast turns a cast of a literal that converts into the converted
// literal (the casts a union or an INSERT puts over VALUES).
func foldCast(e Expr) Expr {
	c, ok := e.(*Call)
	if !ok || c.Func != "cast" || len(c.Args) != 1 {
		return e
	}
	l, ok := c.Args[0].(*Literal)
	if !ok {
		return e
	}
	v, err := CastValue(l.Value, l.Typ, c.Typ)
	if err != nil {
		return e // fails at run time, naming the value
	}
	return &Literal{Value: v, Typ: c.Typ}
}
