package main

import "github.com/nianbao/nianbao/bulkgc"

// tuneGC sets the collector for the commands that read documents in bulk
// (see bulkgc) unless the environment does.
func tuneGC(command string) {
	switch command {
	case "import", "reextract", "crawl", "demo", "worker":
		bulkgc.Tune()
	}
}
