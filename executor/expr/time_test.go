package expr

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestTimeFields(t *testing.T) {
	runEval(t, []evalCase{
		{"YEAR(ts)", "2024|1969|NULL|2024"},
		{"MONTH(ts)", "3|12|NULL|12"},
		{"DAY(ts)", "5|31|NULL|31"},
		{"DAYOFMONTH(ts)", "5|31|NULL|31"},
		{"HOUR(ts)", "10|23|NULL|23"},
		{"MINUTE(ts)", "15|59|NULL|0"},
		{"SECOND(ts)", "30|59|NULL|0"},
		{"EXTRACT(MICROSECOND FROM ts)", "250000|0|NULL|0"},
		{"EXTRACT(QUARTER FROM ts)", "1|4|NULL|4"},
		{"DAYOFWEEK(ts)", "3|4|NULL|3"},
		{"DAYOFYEAR(ts)", "65|365|NULL|366"},
		{"EXTRACT(WEEK FROM ts)", "10|1|NULL|1"},
		{"YEAR(d)", "2024|1969|NULL|2024"},
		{"DATE(ts)", "2024-03-05|1969-12-31|NULL|2024-12-31"},
		{"YEAR('2020-02-29')", "2020|2020|2020|2020"},
	})
}

func TestTimeFunctions(t *testing.T) {
	runEval(t, []evalCase{
		{"UNIX_TIMESTAMP(ts)", "1709633730|-1|NULL|1735686000"},
		{"FROM_UNIXTIME(i)", "1970-01-01 00:00:01|1969-12-31 23:59:53|NULL|1970-01-01 00:01:40"},
		{"FROM_UNIXTIME(f)", "1970-01-01 00:00:01.5|1969-12-31 23:59:57.75|NULL|1970-01-01 00:01:40.5"},
		{"FROM_UNIXTIME(UNIX_TIMESTAMP(ts))", "2024-03-05 10:15:30|1969-12-31 23:59:59|NULL|2024-12-31 23:00:00"},
		{"FROM_UNIXTIME(i, '%Y-%m-%d')", "1970-01-01|1969-12-31|NULL|1970-01-01"},
		{"FROM_UNIXTIME(9223372036854775807)", "NULL|NULL|NULL|NULL"},
		{"DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s')", "2024-03-05 10:15:30|1969-12-31 23:59:59|NULL|2024-12-31 23:00:00"},
		{"DATE_FORMAT(ts, '%y %b %M %j %a %W %p %T %e %c')", "24 Mar March 065 Tue Tuesday AM 10:15:30 5 3|69 Dec December 365 Wed Wednesday PM 23:59:59 31 12|NULL|24 Dec December 366 Tue Tuesday PM 23:00:00 31 12"},
		{"DATE_FORMAT(ts, '%l %h %k %I %f %r %w %% %q')", "10 10 10 10 250000 10:15:30 AM 2 % q|11 11 23 11 000000 11:59:59 PM 3 % q|NULL|11 11 23 11 000000 11:00:00 PM 2 % q"},
		{"DATE_FORMAT(ts, s)", "CUST-001| Ärger é |NULL|CUST-003"},
		{"DATE_FORMAT(d, '%d.%m.%Y')", "05.03.2024|31.12.1969|NULL|31.12.2024"},
		{"TO_TIMESTAMP('2024-01-02 03:04:05')", "2024-01-02 03:04:05|2024-01-02 03:04:05|2024-01-02 03:04:05|2024-01-02 03:04:05"},
		{"TO_TIMESTAMP(s)", "NULL|NULL|NULL|NULL"},
		{"TO_TIMESTAMP(DATE_FORMAT(ts, '%Y-%m-%dT%H:%i:%s.%fZ'))", "2024-03-05 10:15:30.25|1969-12-31 23:59:59|NULL|2024-12-31 23:00:00"},
		{"TO_TIMESTAMP(DATE_FORMAT(ts, '%d/%m/%Y %H:%i'), 'dd/MM/yyyy HH:mm')", "2024-03-05 10:15:00|1969-12-31 23:59:00|NULL|2024-12-31 23:00:00"},
		{"TO_TIMESTAMP('2024-01-02T03:04:05.123', 'yyyy-MM-dd''T''HH:mm:ss.SSS')", "2024-01-02 03:04:05.123|2024-01-02 03:04:05.123|2024-01-02 03:04:05.123|2024-01-02 03:04:05.123"},
		{"TO_TIMESTAMP(i)", "1970-01-01 00:00:01|1969-12-31 23:59:53|NULL|1970-01-01 00:01:40"},
		{"NOW() > ts", "true|true|NULL|true"},
		{"UNIX_TIMESTAMP() > 1700000000", "true|true|true|true"},
	})
}

func TestNowIsReadPerBatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ev, err := Compile(bind(t, "NOW()", testSchema), mem)
	if err != nil {
		t.Fatal(err)
	}
	if _, folded := ev.(*evaluator).root.(*constNode); folded {
		t.Fatal("NOW() was folded into a constant")
	}
	rec := testRecord(t, mem)
	defer rec.Release()
	v1, err := ev.Eval(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	v2, _ := ev.Eval(context.Background(), rec)
	if !v1.IsScalar || !v2.IsScalar || v2.Scalar.(int64) <= v1.Scalar.(int64) {
		t.Errorf("NOW() = %v then %v", v1.Scalar, v2.Scalar)
	}
	if d := time.Since(time.UnixMicro(v2.Scalar.(int64))); d < 0 || d > time.Minute {
		t.Errorf("NOW() is %v away", d)
	}
}

func TestDateFormatSpecifiers(t *testing.T) {
	us := time.Date(2023, 1, 2, 0, 5, 9, 7000, time.UTC).UnixMicro()
	got := string(appendDateFormat(nil, us, parseDateFormat("%Y|%y|%m|%c|%d|%e|%H|%k|%h|%l|%i|%s|%f|%p|%b|%M|%a|%W|%j|%%|%")))
	want := "2023|23|01|1|02|2|00|0|12|12|05|09|000007|AM|Jan|January|Mon|Monday|002|%|%"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
