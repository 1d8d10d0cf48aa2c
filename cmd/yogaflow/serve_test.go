package main

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as yogaflow itself, so TestServeAndStopOnSIGTERM
// runs the real main, signals and all, without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("YOGAFLOW_TEST_RUN_MAIN") == "1" {
		os.Args = append([]string{"yogaflow"}, strings.Fields(os.Getenv("YOGAFLOW_TEST_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestServeAndStopOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()

	cmd := exec.Command(os.Args[0])
	cmd.Dir = dir
	// The defaults, as on a fresh clone: only the address is moved off :8080.
	cmd.Env = []string{"YOGAFLOW_TEST_RUN_MAIN=1", "YOGAFLOW_ADDR=" + addr}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "YOGAFLOW_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/health")
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no 200 from /health within 15 s:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, f := range []string{"yogaflow.db", "yogaflow.db.jwt-secret"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("serving with the defaults did not create %s: %v", f, err)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("still running 15 s after SIGTERM:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no orderly stop in the log:\n%s", stderr.String())
	}
}
