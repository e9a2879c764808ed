// Package supervise runs one client process (a geth binary, say) on behalf
// of the node agent: it starts the process, restarts it with exponential
// backoff whenever it exits on its own, and stops it gracefully when the
// agent says so — SIGTERM first, SIGKILL only after a generous timeout,
// because an execution client killed mid-write may have to repair or
// resync its database.
//
// The child runs in its own process group, so a Ctrl-C typed at the agent's
// terminal (which the terminal sends to its whole foreground process group)
// reaches only the agent, which then decides when and how to stop the child.
// On Linux the child also gets SIGTERM if the agent itself dies, so a
// crashed agent never leaves an orphaned client holding the data directory.
//
// GethArgs computes the command line of a geth process from a few options,
// with every flag name checked against go-ethereum's own flag table in the
// tests.
package supervise
