package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/server/part"
	"github.com/blason-badges/blason/internal/server/problem"
)

// StatusClientClosed is logged (never sent) for a request whose client
// went away before it was answered: nginx's 499 "client closed request".
// It is not a server error, and logging it as one (500, ERROR) would page
// someone for every impatient client under load.
const StatusClientClosed = 499

// logRequests writes one structured log line per request. The attributes
// go to LogAttrs as values (no []any, no boxing), and nothing is built
// when the logger would drop the line.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	ctx := c.Request.Context()
	status := c.Writer.Status()
	level := slog.LevelInfo
	switch {
	case status >= 400 && errors.Is(ctx.Err(), context.Canceled):
		// The client is gone (its connection closed): whatever failed
		// failed because of that, and nobody reads the answer.
		status = StatusClientClosed
	case status >= 500:
		level = slog.LevelError
	}
	if !s.cfg.Logger.Enabled(ctx, level) {
		return
	}
	attrs := [8]slog.Attr{
		slog.String(logMethod, c.Request.Method),
		slog.String(logPath, c.Request.URL.Path),
		slog.Int(logStatus, status),
		slog.Float64(logDuration, float64(time.Since(start).Microseconds())/1000),
		slog.Int(logBytes, c.Writer.Size()),
		slog.String(logRemote, c.ClientIP()),
	}
	n := 6
	if tok := part.TokenID(c); tok != "" {
		attrs[n] = slog.String(logToken, tok)
		n++
	}
	if len(c.Errors) > 0 {
		attrs[n] = slog.String(logError, c.Errors.String())
		n++
	}
	s.cfg.Logger.LogAttrs(ctx, level, "request", attrs[:n]...)
}

// admit bounds the verifications in flight (Config.MaxInFlight). A request
// over the bound is refused at once with 503 and Retry-After: 1 (RFC 9110
// §15.6.4: "the server is currently unable to handle the request due to a
// temporary overload"; §10.2.3 Retry-After): a client retrying in a second
// gets a fast answer, where queueing every request would make all of them
// slow and time out together.
func (s *Server) admit(c *gin.Context) {
	select {
	case s.slots <- struct{}{}:
	default:
		c.Header("Retry-After", "1")
		problem.Write(c, http.StatusServiceUnavailable, problem.Overloaded, "")
		c.Abort()
		return
	}
	defer func() { <-s.slots }()
	// Yield once before the work. A verification is CPU-bound and runs to
	// its end once started, so without this the requests waiting for a CPU
	// (in the run queue, or read but not yet scheduled) never meet a full
	// set of slots: they queue where no bound applies, and under load
	// (256 connections on 2 cores) their wait, not the verification, was
	// the p99 (80-160 ms). Yielding lets the requests already waiting
	// reach this check while the slot is taken, so the excess is refused
	// at once with 503 and the admitted ones answer in milliseconds.
	runtime.Gosched()
	c.Next()
}

// recover turns a panic into a 500 without internals (and logs it).
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			s.cfg.Logger.Error("panic", slog.Any("value", v), slog.String(logPath, c.Request.URL.Path))
			problem.Write(c, http.StatusInternalServerError, problem.Internal, "")
			c.Abort()
		}
	}()
	c.Next()
}

// limitBody caps request bodies at MaxBody; reading past it fails with
// *http.MaxBytesError, which handlers map to 413.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > s.cfg.MaxBody {
		problem.Write(c, http.StatusRequestEntityTooLarge, problem.TooLarge, problem.TooLargeDetail(s.cfg.MaxBody))
		c.Abort()
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBody)
	c.Next()
}
