package server

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// logRequests writes one structured log line per request.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	attrs := []any{
		slog.String(logMethod, c.Request.Method),
		slog.String(logPath, c.Request.URL.Path),
		slog.Int(logStatus, c.Writer.Status()),
		slog.Float64(logDuration, float64(time.Since(start).Microseconds())/1000),
		slog.Int(logBytes, c.Writer.Size()),
		slog.String(logRemote, c.ClientIP()),
	}
	if tok := c.GetString(ctxToken); tok != "" {
		attrs = append(attrs, slog.String(logToken, tok))
	}
	level := slog.LevelInfo
	if len(c.Errors) > 0 {
		attrs = append(attrs, slog.String(logError, c.Errors.String()))
	}
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	}
	s.cfg.Logger.Log(c.Request.Context(), level, "request", attrs...)
}

// recover turns a panic into a 500 without internals (and logs it).
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			s.cfg.Logger.Error("panic", slog.Any("value", v), slog.String(logPath, c.Request.URL.Path))
			problem(c, http.StatusInternalServerError, "internal", "")
			c.Abort()
		}
	}()
	c.Next()
}

// limitBody caps request bodies at MaxBody; reading past it fails with
// *http.MaxBytesError, which handlers map to 413.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > s.cfg.MaxBody {
		problem(c, http.StatusRequestEntityTooLarge, "too-large", tooLarge(s.cfg.MaxBody))
		c.Abort()
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBody)
	c.Next()
}

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
