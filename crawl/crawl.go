// Package crawl holds the crawl's domain types, which the crawler, the
// discovery extractors and the store all speak: what a URL is expected to be
// (Kind) and what a fetch of it came to (Class). Their values are the strings
// the store and the fetch log keep, so stores written before these types read
// the same.
package crawl

// Kind is what a URL is expected to lead to.
type Kind string

// Kinds of URLs.
const (
	Page       Kind = "page"       // a page to read for links: home, portal, column, list
	Report     Kind = "report"     // a page that should be a report
	Attachment Kind = "attachment" // a report's file
	API        Kind = "api"        // a JSON or XML list
)

// Class is what a fetch came to, as the fetch log records it; a host's class
// is why it was given up (or ok).
type Class string

// Classes of a fetch's outcome.
const (
	OK               Class = "ok"
	NotModified      Class = "not_modified"
	RobotsDisallowed Class = "robots_disallowed"
	BlockedWAF       Class = "blocked_waf"
	RateLimited      Class = "rate_limited"
	ServerError      Class = "server_error"
	Unreachable      Class = "unreachable"
	Gone             Class = "gone"
	Moved            Class = "moved"
	Offsite          Class = "offsite"
	TLS              Class = "tls_error"
	TooLarge         Class = "too_large"
	Budget           Class = "budget"
	Maintenance      Class = "maintenance"
	Error            Class = "error"
	// Refused: the crawler's own refusal, before any request: a name that
	// resolves to a loopback or private address (allow_private off).
	Refused Class = "refused"
	// Cookie: a redirect to the same address that set a cookie; the address
	// is asked again, once, with the cookie (never a challenge solved: no
	// script is run).
	Cookie Class = "cookie"
	// Expired: an attachment asked again directly was refused (401/403), as
	// signed links are once they expire; it is asked again only through its
	// page.
	Expired Class = "expired"
)

// Answered reports whether the URL answered with its document: in full, or
// unchanged since the last visit (304).
func (c Class) Answered() bool { return c == OK || c == NotModified }

// Lost reports whether the URL is gone from where it was: 404 (or a soft
// 404, a redirect loop) or a redirect off the corpus's hosts.
func (c Class) Lost() bool { return c == Gone || c == Offsite }
