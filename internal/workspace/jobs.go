package workspace

import (
	"context"
	"errors"
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
// in memory while it runs (its awards are in the Store as they are made;
// an import cut by a restart is completed by importing the file again).
// With a Store, its progress and result are also recorded there, so that
// Lookup finds it after a restart, or from another process.
type Jobs struct {
	// Store, when set, records each job's progress (at most every
	// jobSaveEvery) and its result. Recording is best effort: an import is
	// never stopped because its progress could not be written.
	Store JobStore

	mu   sync.Mutex
	jobs map[string]*Job
}

// JobStore keeps background jobs' progress (internal/store/workspacedb
// has it).
type JobStore interface {
	PutJob(ctx context.Context, j *JobRecord) error
	// GetJob returns ErrNotFound for an unknown job (or another issuer's).
	GetJob(ctx context.Context, issuerID, id string) (*JobRecord, error)
}

// JobRecord is a job as recorded.
type JobRecord struct {
	ID, IssuerID, Actor       string
	Started, Updated          time.Time
	Done, Total               int
	Ended, Failed             bool
	Awarded, Already, Skipped int
}

// jobSaveEvery bounds how often a running job's progress is written.
const jobSaveEvery = 500 * time.Millisecond

// Seen is a job as Lookup finds it.
type Seen struct {
	JobState
	// Awarded, Already, Skipped: the result of an ended job.
	Awarded, Already, Skipped int
	// Interrupted: the job was recorded running but no process here runs
	// it: the server restarted meanwhile (or another process runs it).
	Interrupted bool
}

// Lookup finds a job of issuerID: running or ended in this process, else
// as recorded in the Store.
func (js *Jobs) Lookup(ctx context.Context, issuerID, id string) (*Seen, bool, error) {
	if j, ok := js.Get(issuerID, id); ok {
		st := j.State()
		seen := &Seen{JobState: st}
		if st.Report != nil {
			seen.Awarded, seen.Already, seen.Skipped = counts(st.Report)
		}
		return seen, true, nil
	}
	if js.Store == nil {
		return nil, false, nil
	}
	rec, err := js.Store.GetJob(ctx, issuerID, id)
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	seen := &Seen{JobState: JobState{Done: rec.Done, Total: rec.Total, Ended: true}, Awarded: rec.Awarded, Already: rec.Already,
		Skipped: rec.Skipped, Interrupted: !rec.Ended}
	if rec.Failed {
		seen.Err = errors.New("the import failed")
	}
	return seen, true, nil
}

// counts are an award report's numbers: awarded, already awarded, and
// lines skipped for their problems.
func counts(r *AwardReport) (awarded, already, skipped int) {
	lines := map[int]bool{}
	for _, p := range r.Problems {
		lines[p.Line] = true
	}
	return len(r.Awarded), len(r.Already), len(lines)
}

func (js *Jobs) save(ctx context.Context, j *Job, st JobState) {
	if js.Store == nil {
		return
	}
	rec := &JobRecord{ID: j.ID, IssuerID: j.IssuerID, Actor: j.Actor, Started: j.Started, Updated: time.Now().UTC(),
		Done: st.Done, Total: st.Total, Ended: st.Ended, Failed: st.Err != nil}
	if st.Report != nil {
		rec.Awarded, rec.Already, rec.Skipped = counts(st.Report)
	}
	// The job's own context may be ending (a shutdown): the last word is
	// still written, briefly.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = js.Store.PutJob(wctx, rec)
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
	js.save(ctx, j, j.State())
	go func() {
		var last time.Time
		rep, err := fn(ctx, func(done, total int) {
			j.mu.Lock()
			j.done, j.total = done, total
			j.mu.Unlock()
			if time.Since(last) >= jobSaveEvery {
				last = time.Now()
				js.save(ctx, j, j.State())
			}
		})
		// Recorded before it is shown ended here: whoever saw it end finds
		// it ended in the store too.
		st := j.State()
		st.Report, st.Err, st.Ended = rep, err, true
		js.save(ctx, j, st)
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
