package clock

import (
	"context"
	"testing"
	"time"
)

func TestSleepEndsWhenItsContextIsDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan struct{})
	go func() {
		Sleep(ctx, time.Hour)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Sleep of an hour under a cancelled context did not return")
	}
	Sleep(context.Background(), -time.Second) // returns at once
}
