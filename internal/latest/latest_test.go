package latest

import (
	"sync"
	"testing"
)

func TestWatchCoalesces(t *testing.T) {
	var v Value[int]
	ch, stop := v.Watch()
	defer stop()
	for i := 1; i <= 5; i++ {
		v.Set(i) // never blocks, though nobody reads yet
	}
	<-ch
	if got := v.Get(); got != 5 {
		t.Fatalf("Get = %d, want 5", got)
	}
	select {
	case <-ch:
		t.Fatal("five Sets left more than one notification")
	default:
	}
}

func TestStoppedWatcherIsNotNotified(t *testing.T) {
	var v Value[string]
	ch, stop := v.Watch()
	stop()
	v.Set("x")
	select {
	case <-ch:
		t.Fatal("notified after stop")
	default:
	}
}

func TestConcurrentSetAndWatch(t *testing.T) {
	var v Value[int]
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch, stop := v.Watch()
			defer stop()
			for v.Get() < 100 {
				<-ch
			}
		}()
	}
	for i := 1; i <= 100; i++ {
		v.Set(i)
	}
	wg.Wait()
}
