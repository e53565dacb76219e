package corpus

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// An import reads regular files only. A named pipe, a socket or a device
// is refused by its name and never opened for reading: opening a pipe waits
// for a writer, and a device may never end. Symbolic links are followed, to
// files and to folders alike, and each folder is read once however many
// links lead to it, so a link back up the tree ends the walk there instead
// of looping.

// ErrNotRegular is the error of a path that is not a regular file or folder.
var ErrNotRegular = errors.New("not a regular file")

// maxFolderDepth bounds how deep an import walks, whatever the links do
// (a bind mount of a folder into itself is a loop no link shows).
const maxFolderDepth = 64

// listed is one path an import met: a file to read, or one refused (err).
type listed struct {
	path string
	err  error
}

// lister walks the paths of an import.
type lister struct {
	seen map[string]bool // the folders read, by their path with every link resolved
	out  []listed
}

// listFiles lists the files under paths (sorted), and the paths it refuses,
// each with its reason. A path that does not exist is an error.
func listFiles(paths []string) ([]listed, error) {
	l := &lister{seen: map[string]bool{}}
	for _, p := range paths {
		fi, err := os.Stat(p) // through a link: a linked folder is read
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		if fi.IsDir() {
			l.folder(p, 0)
		} else {
			l.file(p, fi)
		}
	}
	sort.SliceStable(l.out, func(i, j int) bool { return l.out[i].path < l.out[j].path })
	return l.out, nil
}

// file lists p, whose target's mode is fi's, or refuses it.
func (l *lister) file(p string, fi fs.FileInfo) {
	if err := regular(p, fi.Mode()); err != nil {
		l.out = append(l.out, listed{path: p, err: err})
		return
	}
	l.out = append(l.out, listed{path: p})
}

// folder lists what is under dir, following links, each folder once.
func (l *lister) folder(dir string, depth int) {
	real, err := filepath.EvalSymlinks(dir)
	if err == nil {
		real, err = filepath.Abs(real)
	}
	switch {
	case err != nil:
		l.out = append(l.out, listed{path: dir, err: fmt.Errorf("%s: resolving the folder: %w", dir, err)})
		return
	case l.seen[real]:
		if depth > 0 {
			l.out = append(l.out, listed{path: dir, err: fmt.Errorf("%s: leads to the folder %s, read already (a link loop or a second link): not read again", dir, real)})
		}
		return
	case depth > maxFolderDepth:
		l.out = append(l.out, listed{path: dir, err: fmt.Errorf("%s: more than %d folders deep: not read", dir, maxFolderDepth)})
		return
	}
	l.seen[real] = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		l.out = append(l.out, listed{path: dir, err: fmt.Errorf("listing %s: %w", dir, err)})
	}
	for _, d := range entries { // what could be listed, even after an error
		if strings.HasPrefix(d.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, d.Name())
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			fi, err := os.Stat(p)
			if err != nil {
				l.out = append(l.out, listed{path: p, err: fmt.Errorf("%s: a symbolic link that leads nowhere: %w", p, err)})
			} else if fi.IsDir() {
				l.folder(p, depth+1)
			} else {
				l.file(p, fi)
			}
		case d.IsDir():
			l.folder(p, depth+1)
		default:
			l.out = append(l.out, listed{path: p, err: regular(p, d.Type())})
		}
	}
}

// regular is nil for a regular file's mode, and otherwise the error that
// names what the path is.
func regular(p string, m fs.FileMode) error {
	if m.IsRegular() {
		return nil
	}
	what := "a special file"
	switch {
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeCharDevice != 0:
		what = "a character device"
	case m&fs.ModeDevice != 0:
		what = "a device"
	case m.IsDir():
		what = "a folder"
	}
	return fmt.Errorf("%s: %s, %w: not read", p, what, ErrNotRegular)
}

// readRegular reads a regular file up to the extractor's limit, refusing anything
// else before reading. The file is opened without blocking, so a pipe put
// in its place after the check cannot hang the open, and is checked again
// once open.
func readRegular(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := regular(path, fi.Mode()); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err = f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if err := regular(path, fi.Mode()); err != nil {
		return nil, err
	}
	return readOpen(f, path, fi.Size())
}
