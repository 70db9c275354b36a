package delta

// Named points of a commit where the crash tests kill the process. In
// production crashHook is nil and crashPoint does nothing.

const (
	pointDataWritten       = "data-written"       // data files written, log commit not yet
	pointBeforeLink        = "before-link"        // commit in its temporary file, not linked
	pointCommitted         = "committed"          // commit linked, maintenance not yet
	pointCompactionWritten = "compaction-written" // compacted file written, not committed
	pointCheckpointWritten = "checkpoint-written" // checkpoint written, _last_checkpoint not yet
)

// crashHook is set by tests only.
var crashHook func(point string)

func crashPoint(p string) {
	if crashHook != nil {
		crashHook(p)
	}
}
