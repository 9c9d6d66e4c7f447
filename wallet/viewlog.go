package wallet

import (
	"context"
	"sync"
	"time"
)

// The view log is written in batches: a share page answers after the
// verification it must make, not after a write of its own (on SQLite with
// synchronous=FULL, one commit costs as much as verifying the badge).
// A view is written within ViewFlushDelay, or before this Service reads
// any view log (Views, Export) or deletes a wallet, so what one process
// shows is always complete; another process sharing the database sees it
// within ViewFlushDelay. Views still waiting when the process dies are
// lost (a view log, not a record that anything depends on), and so may be
// those written but not yet synced to disk when the machine stops
// (Store.AddViews need not wait for the disk); Close writes them at
// shutdown.

// ViewFlushDelay is the longest a view waits before it is written.
const ViewFlushDelay = 200 * time.Millisecond

// maxPendingViews bounds the views held in memory when the store keeps
// failing; older ones are dropped beyond it.
const maxPendingViews = 10000

type viewLog struct {
	mu      sync.Mutex
	pending []*View
	timer   *time.Timer
	// flushing serialises writes, so that a flush that returns has
	// written every view logged before it started.
	flushing sync.Mutex
}

func (s *Service) logView(v *View) {
	s.views.mu.Lock()
	defer s.views.mu.Unlock()
	if len(s.views.pending) >= maxPendingViews {
		s.views.pending = s.views.pending[1:]
	}
	s.views.pending = append(s.views.pending, v)
	if s.views.timer == nil {
		s.views.timer = time.AfterFunc(ViewFlushDelay, func() { _ = s.FlushViews(context.Background()) })
	}
}

// FlushViews writes the views waiting to be written. On failure they stay
// queued for the next flush, and the error is returned.
func (s *Service) FlushViews(ctx context.Context) error {
	s.views.flushing.Lock()
	defer s.views.flushing.Unlock()
	s.views.mu.Lock()
	batch := s.views.pending
	s.views.pending = nil
	if s.views.timer != nil {
		s.views.timer.Stop()
		s.views.timer = nil
	}
	s.views.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if err := s.Store.AddViews(ctx, batch); err != nil {
		s.views.mu.Lock()
		s.views.pending = append(batch, s.views.pending...)
		if n := len(s.views.pending); n > maxPendingViews {
			s.views.pending = s.views.pending[n-maxPendingViews:]
		}
		if s.views.timer == nil {
			s.views.timer = time.AfterFunc(ViewFlushDelay, func() { _ = s.FlushViews(context.Background()) })
		}
		s.views.mu.Unlock()
		return err
	}
	return nil
}

// Close writes the views still waiting (call it when the server stops).
func (s *Service) Close(ctx context.Context) error { return s.FlushViews(ctx) }
