package workspace

import (
	"context"
	"sync"
	"time"
)

// Job is an import running in the background, so that a page can show
// its progress while it runs.
type Job struct {
	ID       string
	IssuerID string
	Actor    string
	Started  time.Time

	mu     sync.Mutex
	done   int
	total  int
	report *AwardReport
	err    error
	ended  bool
}

// JobState is a snapshot of a Job.
type JobState struct {
	Done, Total int
	Ended       bool
	Report      *AwardReport
	Err         error
}

// State returns the job's progress.
func (j *Job) State() JobState {
	j.mu.Lock()
	defer j.mu.Unlock()
	return JobState{Done: j.done, Total: j.total, Ended: j.ended, Report: j.report, Err: j.err}
}

// Jobs runs imports in the background, one process's worth: a job lives
// in memory (its awards are in the Store as they are made; an import cut
// by a restart is completed by importing the file again).
type Jobs struct {
	mu   sync.Mutex
	jobs map[string]*Job
}

// maxJobs bounds the finished jobs kept for their pages.
const maxJobs = 100

// Start runs AwardSheet-like work fn in the background and returns its job.
// ctx should outlive the request that starts it (the server's context).
func (js *Jobs) Start(ctx context.Context, issuerID, actor string, fn func(ctx context.Context, progress func(done, total int)) (*AwardReport, error)) *Job {
	j := &Job{ID: newID(), IssuerID: issuerID, Actor: actor, Started: time.Now()}
	js.mu.Lock()
	if js.jobs == nil {
		js.jobs = map[string]*Job{}
	}
	if len(js.jobs) >= maxJobs {
		for id, old := range js.jobs {
			if old.State().Ended {
				delete(js.jobs, id)
			}
		}
	}
	js.jobs[j.ID] = j
	js.mu.Unlock()
	go func() {
		rep, err := fn(ctx, func(done, total int) {
			j.mu.Lock()
			j.done, j.total = done, total
			j.mu.Unlock()
		})
		j.mu.Lock()
		j.report, j.err, j.ended = rep, err, true
		j.mu.Unlock()
	}()
	return j
}

// Get returns a job of issuerID.
func (js *Jobs) Get(issuerID, id string) (*Job, bool) {
	js.mu.Lock()
	defer js.mu.Unlock()
	j, ok := js.jobs[id]
	if !ok || j.IssuerID != issuerID {
		return nil, false
	}
	return j, true
}
