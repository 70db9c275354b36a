package executor

import (
	"fmt"
	"net"
	"strings"
)

// HostPolicy confines the network addresses that connectors named in SQL
// may reach (Kafka brokers, PostgreSQL hosts). `tide serve` sets one, so
// that SQL sent over HTTP cannot make the server connect anywhere its
// network reaches; a nil policy (the shell, `tide run`) allows every host.
type HostPolicy struct {
	hosts map[string]bool // lower-case host names and IPs, without ports
}

// NewHostPolicy allows loopback addresses and the given hosts ("host" or
// "host:port"; the port is not checked).
func NewHostPolicy(hosts ...string) *HostPolicy {
	p := &HostPolicy{hosts: map[string]bool{}}
	for _, h := range hosts {
		for _, one := range strings.Split(h, ",") {
			if one = strings.TrimSpace(one); one != "" {
				p.hosts[hostOf(one)] = true
			}
		}
	}
	return p
}

// Check refuses an address ("host:port" or "host") that is neither
// loopback nor allowed. what says what the address is, for the message.
func (p *HostPolicy) Check(what, addr string) error {
	if p == nil {
		return nil
	}
	h := hostOf(addr)
	if h == "localhost" || strings.HasSuffix(h, ".localhost") || p.hosts[h] {
		return nil
	}
	if ip := net.ParseIP(h); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s %s is not a host this server may reach (loopback, the --brokers hosts and --allow-host ones)", what, addr)
}

func hostOf(addr string) string {
	addr = strings.TrimSpace(addr)
	if h, _, err := net.SplitHostPort(addr); err == nil {
		addr = h
	}
	return strings.ToLower(strings.Trim(addr, "[]"))
}
