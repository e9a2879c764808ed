// Package hold lets a node's agent stop the execution client that runs in
// another container of its pod, and keep it from starting again until a
// snapshot is taken.
//
// On Kubernetes a container whose process exits is started again by the
// kubelet, and nothing inside the pod can stop a container for a while. So
// the snapshotter's execution container starts its client through Run
// (`ethfleet hold run`): Run records its process in a directory the
// container shares with the agent (an emptyDir), waits while a file named
// "held" is in it, and then replaces itself with the client by execve, so
// the client keeps the process and receives the kubelet's signals itself.
//
// The agent, in the same pod with shareProcessNamespace, calls Stop: it
// creates "held", sends the client SIGTERM and waits until the process is
// gone. The kubelet restarts the container, whose new Run waits. The agent
// snapshots the data directory and calls Release, which removes "held";
// Run then starts the client.
//
// The directory holds:
//
//	held   present while the client must not start
//	pid    "PID START\n": the process Run started as, and its start time in
//	       clock ticks since boot (/proc/PID/stat), which tells it from a
//	       later process given the same number
//
// Stop and Run read /proc, so they work on Linux only; elsewhere they
// return errors.ErrUnsupported.
package hold
