package stacktest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// run is the execution of a change set: resources to add or modify start
// one step each, then finish one step each in the template's order; a
// resource told to fail fails, those still under way are cancelled, and
// the stack rolls back.
type run struct {
	f      *Fake
	s      *fakeStack
	cs     *fakeChangeSet
	create bool
	// work are the resources added or modified, removes those removed.
	work    []work
	removes []resource
	// done are the works that completed, in order.
	done []work
}

type work struct {
	r      resource
	modify bool
}

// status gives the status of work for a create: CREATE_IN_PROGRESS,
// CREATE_COMPLETE, CREATE_FAILED, or the UPDATE_ ones for a modify.
func (w work) status(phase string) types.ResourceStatus {
	if w.modify {
		return types.ResourceStatus("UPDATE_" + phase)
	}
	return types.ResourceStatus("CREATE_" + phase)
}

func (f *Fake) execute(s *fakeStack, cs *fakeChangeSet) {
	r := &run{f: f, s: s, cs: cs, create: cs.kind == types.ChangeSetTypeCreate}
	for _, c := range cs.changes {
		rc := c.ResourceChange
		switch rc.Action {
		case types.ChangeActionRemove:
			old, _ := s.template.resource(*rc.LogicalResourceId)
			r.removes = append(r.removes, old)
		default:
			res, _ := cs.template.resource(*rc.LogicalResourceId)
			r.work = append(r.work, work{r: res, modify: rc.Action == types.ChangeActionModify})
		}
	}
	cs.exec = types.ExecutionStatusExecuteInProgress
	if cs.tags != nil {
		s.tags = cs.tags
	}
	if r.create {
		s.setStatus(types.StackStatusCreateInProgress, "User Initiated")
	} else {
		now := f.now()
		s.updated = &now
		s.setStatus(types.StackStatusUpdateInProgress, "User Initiated")
	}
	s.queue = r.steps()
}

func (r *run) steps() []func() {
	var steps []func()
	for _, w := range r.work {
		steps = append(steps, func() { r.s.resourceEvent(w.r, w.status("IN_PROGRESS"), "") })
	}
	for i := range r.work {
		steps = append(steps, func() { r.finish(i) })
	}
	if !r.create {
		steps = append(steps, func() { r.s.setStatus(types.StackStatusUpdateCompleteCleanupInProgress, "") })
		steps = append(steps, r.s.deleteSteps(r.removes, false)...)
	}
	return append(steps, func() {
		r.s.template, r.s.params = r.cs.template, r.cs.params
		r.s.computeOutputs()
		if r.create {
			r.s.setStatus(types.StackStatusCreateComplete, "")
		} else {
			r.s.setStatus(types.StackStatusUpdateComplete, "")
		}
		r.end(types.ExecutionStatusExecuteComplete)
	})
}

// finish completes work i, or fails it and turns the rest of the run
// into a rollback.
func (r *run) finish(i int) {
	w := r.work[i]
	reason := r.f.failures[w.r.id]
	if reason == "" {
		r.s.resourceEvent(w.r, w.status("COMPLETE"), "")
		r.done = append(r.done, w)
		return
	}
	r.s.resourceEvent(w.r, w.status("FAILED"), reason)
	r.s.queue = r.rollback(i)
}

func (r *run) rollback(failed int) []func() {
	verb, status := "update", types.StackStatusUpdateRollbackInProgress
	if r.create {
		verb, status = "create", types.StackStatusRollbackInProgress
	}
	ids := []string{r.work[failed].r.id}
	var steps []func()
	for _, w := range r.work[failed+1:] {
		ids = append(ids, w.r.id)
		steps = append(steps, func() {
			r.s.resourceEvent(w.r, w.status("FAILED"), map[string]string{"create": "Resource creation cancelled", "update": "Resource update cancelled"}[verb])
		})
	}
	slices.Sort(ids)
	reason := fmt.Sprintf("The following resource(s) failed to %s: [%s]. Rollback requested by user.", verb, strings.Join(ids, ", "))
	steps = append(steps, func() { r.s.setStatus(status, reason) })
	var added []resource
	for _, w := range r.work {
		if !w.modify {
			added = append(added, w.r)
		}
	}
	if r.create {
		steps = append(steps, r.s.deleteSteps(added, false)...)
		return append(steps, func() {
			r.s.setStatus(types.StackStatusRollbackComplete, "")
			r.end(types.ExecutionStatusExecuteFailed)
		})
	}
	for _, w := range slices.Backward(r.done) {
		if w.modify {
			steps = append(steps,
				func() { r.s.resourceEvent(w.r, types.ResourceStatusUpdateInProgress, "") },
				func() { r.s.resourceEvent(w.r, types.ResourceStatusUpdateComplete, "") })
		}
	}
	steps = append(steps, func() { r.s.setStatus(types.StackStatusUpdateRollbackCompleteCleanupInProgress, "") })
	steps = append(steps, r.s.deleteSteps(added, false)...)
	return append(steps, func() {
		r.s.setStatus(types.StackStatusUpdateRollbackComplete, "")
		r.end(types.ExecutionStatusExecuteFailed)
	})
}

// end marks the change set executed and the stack's other change sets
// obsolete.
func (r *run) end(exec types.ExecutionStatus) {
	r.cs.exec = exec
	for _, o := range r.s.changeSets {
		if o != r.cs && o.exec == types.ExecutionStatusAvailable {
			o.exec = types.ExecutionStatusObsolete
		}
	}
}

// deleteSteps deletes resources, the last first, two steps each;
// resources that were never made are skipped. When failable, a resource
// told to fail deletion fails it, and the stack's delete with it.
func (s *fakeStack) deleteSteps(rs []resource, failable bool) []func() {
	var steps []func()
	for _, r := range slices.Backward(rs) {
		steps = append(steps,
			func() {
				if s.physical[r.id] != "" {
					s.resourceEvent(r, types.ResourceStatusDeleteInProgress, "")
				}
			},
			func() {
				if s.physical[r.id] == "" {
					return
				}
				if reason := s.f.failures["delete:"+r.id]; failable && reason != "" {
					s.resourceEvent(r, types.ResourceStatusDeleteFailed, reason)
					s.queue = []func(){func() {
						s.setStatus(types.StackStatusDeleteFailed, fmt.Sprintf("The following resource(s) failed to delete: [%s]. ", r.id))
					}}
					return
				}
				s.resourceEvent(r, types.ResourceStatusDeleteComplete, "")
				delete(s.physical, r.id)
			})
	}
	return steps
}

// deleteStack starts deleting the stack and its resources.
func (f *Fake) deleteStack(s *fakeStack) {
	s.setStatus(types.StackStatusDeleteInProgress, "User Initiated")
	var deployed []resource
	if s.template != nil {
		deployed = s.template.resources
	}
	s.queue = append(s.deleteSteps(deployed, true), func() {
		s.setStatus(types.StackStatusDeleteComplete, "")
		s.changeSets, s.outputs = nil, nil
	})
}
