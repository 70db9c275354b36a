package window

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/executor"
)

// goldenState is one test file's operator, its input and allocator.
type goldenState struct {
	mem   *memory.CheckedAllocator
	in    *fakeInput
	op    executor.Operator
	epoch int64
}

// TestAggregateGolden runs testdata/*.test. Commands:
//
//	define            the aggregate (see parsePlan); prints the output schema
//	push              input rows as JSON objects, one per line
//	watermark <t|max> a watermark message
//	barrier           a barrier message (epochs count from 1)
//	eof               the input ends
//	stats             late and skipped rows, state rows
//
// Each command's output is every message the operator returns until it
// waits for more input.
func TestAggregateGolden(t *testing.T) {
	runDataDriven(t, "testdata/*.test",
		func(t *testing.T) *goldenState {
			return &goldenState{mem: memory.NewCheckedAllocator(memory.NewGoAllocator())}
		},
		runGoldenStep,
		func(t *testing.T, s *goldenState) {
			if s.op != nil {
				if err := s.op.Close(); err != nil {
					t.Error(err)
				}
			}
			s.mem.AssertSize(t, 0)
		})
}

func runGoldenStep(t *testing.T, s *goldenState, st *step) string {
	if st.cmd == "define" {
		if s.op != nil { // a file may define several aggregates in turn
			if err := s.op.Close(); err != nil {
				t.Error(err)
			}
			s.op = nil
		}
		n, in, err := parsePlan(st.input)
		if err != nil {
			return "error: " + err.Error()
		}
		s.in = &fakeInput{schema: in}
		op, err := New(n, s.in, s.mem)
		if err != nil {
			return "error: " + err.Error()
		}
		s.op = op
		var cols []string
		for _, f := range op.Schema().Fields() {
			cols = append(cols, f.Name+":"+f.Type.String())
		}
		return strings.Join(cols, " ")
	}
	if s.op == nil {
		t.Fatalf("line %d: %s before define", st.line, st.cmd)
	}
	switch st.cmd {
	case "push":
		rec, err := recordFromRows(s.mem, s.in.schema, st.input)
		if err != nil {
			t.Fatalf("line %d: %v", st.line, err)
		}
		s.in.pushBatch(rec)
	case "watermark":
		if len(st.args) != 1 {
			t.Fatalf("line %d: watermark needs a time", st.line)
		}
		if st.args[0] == "max" {
			s.in.push(executor.Msg{Kind: executor.MsgWatermark, Watermark: executor.MaxWatermark})
			break
		}
		us, err := parseTS(st.args[0])
		if err != nil {
			t.Fatalf("line %d: %v", st.line, err)
		}
		s.in.pushWatermark(us)
	case "barrier":
		s.epoch++
		s.in.pushBarrier(s.epoch)
	case "eof":
		s.in.eof = true
	case "stats":
		c := s.op.(Counters)
		return fmt.Sprintf("late=%d skipped=%d state_rows=%d", c.LateRows(), c.SkippedRows(), s.op.(Stats).StateRows())
	default:
		t.Fatalf("line %d: unknown command %q", st.line, st.cmd)
	}
	var out []string
	if err := drain(s.op, &out); err != nil && !strings.Contains(strings.Join(out, ""), "eof") {
		out = append(out, "error: "+err.Error())
	}
	return strings.Join(out, "\n")
}
