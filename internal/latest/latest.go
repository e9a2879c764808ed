// Package latest holds a value that changes over time and tells watchers
// when it has, without ever blocking the writer.
//
// Watchers are told that the value changed, not what it changed to: a
// watcher that falls behind sees one notification for many changes and reads
// the newest value with Get. That suits state such as a chain head or a
// node's status, where only the newest value matters.
package latest

import "sync"

// Value is the newest value of type T. The zero Value holds T's zero value
// and is ready to use.
type Value[T any] struct {
	mu       sync.Mutex
	v        T
	watchers map[chan struct{}]struct{}
}

// Get returns the newest value.
func (l *Value[T]) Get() T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.v
}

// Set stores v and notifies every watcher.
func (l *Value[T]) Set(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.v = v
	for ch := range l.watchers {
		select {
		case ch <- struct{}{}:
		default: // a notification is already pending
		}
	}
}

// Watch returns a channel that receives after each Set, coalescing Sets the
// watcher has not yet seen, and a function that stops the watch.
func (l *Value[T]) Watch() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	l.mu.Lock()
	if l.watchers == nil {
		l.watchers = map[chan struct{}]struct{}{}
	}
	l.watchers[ch] = struct{}{}
	l.mu.Unlock()
	return ch, func() {
		l.mu.Lock()
		delete(l.watchers, ch)
		l.mu.Unlock()
	}
}
