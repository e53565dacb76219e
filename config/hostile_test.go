package config

import (
	"strings"
	"testing"
	"time"
)

// Settings no nightly harvest can mean are refused with the key named, as
// delay: 0 and max_bytes: -1 are: a delay of 1,000,000 h (a typo for 1s:
// the run would sleep forever after the first robots.txt), negative
// per_domain or max_hosts_per_domain, and a cap of workers no machine has
// the file descriptors for.
func TestHostileSettingsRefused(t *testing.T) {
	for name, set := range map[string]func(*Config){
		"crawl.delay":                func(c *Config) { c.Crawl.Delay = 1_000_000 * time.Hour },
		"crawl.per_domain":           func(c *Config) { c.Crawl.PerDomain = -1 },
		"crawl.max_hosts_per_domain": func(c *Config) { c.Crawl.MaxHostsPerDomain = -3 },
		"crawl.workers":              func(c *Config) { c.Crawl.Workers = 1 << 62 },
	} {
		c := Default()
		set(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), name) {
			t.Errorf("%s: refused without naming the key: %v", name, err)
		}
	}
}
