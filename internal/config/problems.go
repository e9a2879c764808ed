package config

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a fleet description.
type Problem struct {
	File string // the file's path as given
	Line int    // 1-based; 0 when the value was not written in the file
	Key  string // dotted key path such as "gateway.maxLag" or "nodes[1].rpc"
	Msg  string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Error lists every problem found in one step of loading a file.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// problems collects Problems for one file, placing each key at the line
// where the file wrote it.
type problems struct {
	file  string
	lines map[string]int // key path -> line
	list  []Problem
}

// add records a problem with key, placed at the key's line or, for a key
// the file left out, at the line of the nearest enclosing key it wrote.
func (ps *problems) add(key, format string, args ...any) {
	ps.addAt(ps.lineOf(key), key, format, args...)
}

func (ps *problems) lineOf(key string) int {
	for k := key; k != ""; k = parentKey(k) {
		if line, ok := ps.lines[k]; ok {
			return line
		}
	}
	return 0
}

// parentKey strips the last ".name" or "[i]" from a key path.
func parentKey(key string) string {
	if i := strings.LastIndexAny(key, ".["); i >= 0 {
		return key[:i]
	}
	return ""
}

func (ps *problems) addAt(line int, key, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: ps.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &Error{Problems: ps.list}
}
