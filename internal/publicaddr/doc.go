// Package publicaddr finds the addresses of the machine the node agent
// runs on: the public IPv4 address that geth announces to its peers
// (--nat extip:IP), and the private one that the agent registers in DNS.
//
// A configured address always wins. Otherwise the cloud's instance
// metadata service is asked: EC2's (IMDSv2, a session token first) and
// then GCE's. Off-cloud neither answers, so every request has a short
// timeout, and the error says in one line what each source said.
//
// Nothing here runs on its own: the metadata services are contacted only
// when Public or Private is called.
package publicaddr
