// Package procfs reads the "Key:  value kB" lines of Linux's /proc files
// (meminfo, a process's status), where the kernel reports memory.
package procfs

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// Bytes returns the value of key (such as "MemAvailable" or "VmHWM") in
// the /proc file at path, in bytes, and false when the file or the key is
// missing or the value is not a count of kB.
func Bytes(path, key string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), key+":")
		if !ok {
			continue
		}
		num, ok := strings.CutSuffix(strings.TrimSpace(rest), " kB")
		kb, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || kb < 0 {
			return 0, false
		}
		return kb << 10, true
	}
	return 0, false
}

// CPU returns the model name and family of the first processor in
// /proc/cpuinfo ("AMD EPYC 9B45", 26), and false when it cannot tell.
func CPU() (model string, family int, ok bool) {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "", 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	seen := 0
	for sc.Scan() && seen < 2 {
		key, value, found := strings.Cut(sc.Text(), ":")
		if !found {
			continue
		}
		switch strings.TrimSpace(key) {
		case "model name":
			model, seen = strings.TrimSpace(value), seen+1
		case "cpu family":
			family, _ = strconv.Atoi(strings.TrimSpace(value))
			seen++
		}
	}
	return model, family, model != ""
}
