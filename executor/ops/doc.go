// Package ops holds the stateless operators of a query and its source scan:
// sourceScan (turns a connector's micro-batches into batches, watermarks and
// epoch barriers, and drops late rows), filter, project, limit and
// tableScan (a snapshot of a table). Each operator is a small pull-based
// state machine over executor.Msg; the aggregate operators live in
// executor/window.
package ops
