package stack

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// display prints a stack's events, one line each, and a progress line:
// redrawn in place under the events when live (a terminal: an event
// overwrites the line, the next progress call draws it again), printed
// as a plain line whenever it changes otherwise.
type display struct {
	w     io.Writer
	live  bool
	total int
	// line is the progress line on screen when live; done the count in
	// the last plain progress line.
	line string
	done int
	// rollingBack is set once the stack starts rolling back.
	rollingBack, saidRollback bool
}

// clearLine returns the cursor to the start of a terminal line and
// erases it.
const clearLine = "\r\033[K"

func (p *display) event(ev types.StackEvent) {
	line := fmt.Sprintf("%s  %-36s %s (%s)", aws.ToTime(ev.Timestamp).UTC().Format(time.TimeOnly),
		ev.ResourceStatus, aws.ToString(ev.LogicalResourceId), aws.ToString(ev.ResourceType))
	if reason := aws.ToString(ev.ResourceStatusReason); reason != "" {
		line += ": " + reason
	}
	if p.live {
		fmt.Fprint(p.w, clearLine)
	}
	fmt.Fprintln(p.w, line)
}

func (p *display) progress(done int, elapsed time.Duration) {
	line := fmt.Sprintf("%d resources done", done)
	if p.total > 0 {
		line = fmt.Sprintf("%d/%d resources", min(done, p.total), p.total)
	}
	if p.rollingBack {
		line += ", rolling back"
	}
	line = fmt.Sprintf("[%s, %s]", line, elapsed.Round(time.Second))
	switch {
	case p.live:
		p.line = line
		fmt.Fprint(p.w, clearLine+line)
	case done != p.done || p.rollingBack && !p.saidRollback:
		p.done, p.saidRollback = done, p.rollingBack
		fmt.Fprintln(p.w, line)
	}
}

func (p *display) end() {
	if p.live && p.line != "" {
		fmt.Fprintln(p.w)
	}
}

// WriteChanges prints a change set's changes as a table.
func WriteChanges(w io.Writer, changes []Change) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tLOGICAL ID\tTYPE\tREPLACEMENT")
	for _, c := range changes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Action, c.LogicalID, c.Type, orDash(c.Replacement))
	}
	return tw.Flush()
}

// WriteOutputs prints a stack's outputs as a table.
func WriteOutputs(w io.Writer, outputs []Output) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "OUTPUT\tVALUE\tEXPORT")
	for _, o := range outputs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", o.Key, o.Value, orDash(o.Export))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
