package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nianbao/nianbao/config"
)

// A proxy on loopback, configured, is used as the crawl uses one: the names
// sent through it are checked, the proxy's own address is not. A target that
// is a loopback or private address is refused before the proxy is asked.
func TestLoopbackProxy(t *testing.T) {
	asked := 0
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked++
		fmt.Fprintf(w, "<html><body>%s</body></html>", r.Host)
	}))
	defer proxy.Close()
	c, err := New(config.Fetch{UserAgent: "nianbao-test (+https://example.org)", Timeout: 5 * time.Second, MaxBytes: 1 << 20, Proxy: proxy.URL})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(context.Background(), "http://www.nianbao-test.invalid/xxgk/t1.html")
	if err != nil || resp.Status != 200 {
		t.Fatalf("through a loopback proxy: %v", err)
	}
	for _, u := range []string{"http://127.0.0.1/", "http://10.1.2.3/", "http://localhost/"} {
		if _, err := c.Get(context.Background(), u); !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s through the proxy: %v, want a refusal", u, err)
		}
	}
	if asked != 1 {
		t.Errorf("the proxy was asked %d times, want 1", asked)
	}
}
