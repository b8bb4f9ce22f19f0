// Command skiff-controller drives a Skiff server the way an operator built with
// controller-runtime does: it installs its own CRD (Widget) through the API, runs a manager with a
// reconciler that owns ConfigMaps, writes status and holds a finalizer, and checks the results
// with a separate, uncached client.
//
// Usage: skiff-controller <kubeconfig> <scenario> <namespace>
//
// Each scenario works inside the given namespace (creating it), installs the Widget CRD in a
// group of its own (<namespace>.conformance.skiff.dev), deletes it at the end, prints what it
// checked and exits 0, or exits 1 with a line starting "FAIL:" on stderr. Every wait is bounded;
// the whole scenario has a 40 s budget.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func must(err error, what string) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

func step(format string, args ...any) {
	fmt.Printf("  "+format+"\n", args...)
}

// waitFor polls cond every 25 ms until it holds; on timeout it fails naming what it waited for
// and the last reason cond gave.
func waitFor(ctx context.Context, timeout time.Duration, what string, cond func() (bool, string)) {
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		ok, why := cond()
		if ok {
			return
		}
		last = why
		if time.Now().After(deadline) || ctx.Err() != nil {
			fail("timed out after %s waiting for %s (last: %s)", timeout, what, last)
		}
		select {
		case <-ctx.Done():
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// releaseFailures counts client-go's "Failed to release lock" messages: a manager stopped while a
// renewal of its Lease was in flight releases with a stale resourceVersion and gets a conflict.
var releaseFailures atomic.Int64

// logger writes controller-runtime's and client-go's log lines to stderr, prefixed, so a failure
// report shows what the manager was doing.
func logger() logr.Logger {
	return funcr.New(func(prefix, args string) {
		if strings.Contains(args, "Failed to release lock") {
			releaseFailures.Add(1)
		}
		if prefix != "" {
			fmt.Fprintf(os.Stderr, "log %s: %s\n", prefix, args)
		} else {
			fmt.Fprintf(os.Stderr, "log %s\n", args)
		}
	}, funcr.Options{Verbosity: 0})
}

type env struct {
	ctx    context.Context
	config *rest.Config
	ns     string
	scheme *runtime.Scheme
	// c is a direct (uncached) client: the "separate client" that checks what the manager did.
	c client.Client
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: skiff-controller <kubeconfig> <scenario> <namespace>")
		os.Exit(2)
	}
	kubeconfig, scenario, ns := os.Args[1], os.Args[2], os.Args[3]
	log := logger()
	ctrl.SetLogger(log)
	klog.SetLogger(log)
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	must(err, "load kubeconfig")
	config.Timeout = 15 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	scheme := newScheme(ns)
	c, err := client.New(config, client.Options{Scheme: scheme})
	must(err, "direct client")
	e := &env{ctx: ctx, config: config, ns: ns, scheme: scheme, c: c}
	run, ok := scenarios[scenario]
	if !ok {
		names := make([]string, 0, len(scenarios))
		for k := range scenarios {
			names = append(names, k)
		}
		fmt.Fprintf(os.Stderr, "unknown scenario %q (want one of %s)\n", scenario, strings.Join(names, ", "))
		os.Exit(2)
	}
	ns0 := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}
	if err := c.Create(ctx, ns0); err != nil && !apierrors.IsAlreadyExists(err) {
		fail("create namespace %s: %v", ns, err)
	}
	run(e)
	fmt.Println("ok", scenario)
}

var scenarios = map[string]func(*env){
	"crd-install":     crdInstall,
	"reconcile":       reconcileOwned,
	"finalizer-gc":    finalizerAndGC,
	"leader-election": leaderElection,
	"cache":           cacheScenario,
	"apply":           applyScenario,
}

// managerOptions: no metrics or health servers, a cache restricted to the scenario namespace,
// and controller names that may repeat across the managers of one process.
func (e *env) managerOptions() manager.Options {
	skip := true
	return ctrl.Options{
		Scheme:                 e.scheme,
		Metrics:                metricsOff(),
		HealthProbeBindAddress: "0",
		Cache:                  cacheOptions(e.ns, nil),
		Controller:             controllerConfig(skip),
	}
}

// startManager starts mgr in the background and returns a function that stops it and waits for
// it to return. A manager that stops by itself with an error fails the scenario at once.
func startManager(ctx context.Context, mgr manager.Manager, name string) (stop func()) {
	mctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := mgr.Start(mctx); err != nil && mctx.Err() == nil {
			fail("manager %s stopped: %v", name, err)
		}
	}()
	return func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			fail("manager %s did not stop within 10 s", name)
		}
	}
}

func metricsOff() metricsserver.Options { return metricsserver.Options{BindAddress: "0"} }

func cacheOptions(ns string, resync *time.Duration) cache.Options {
	return cache.Options{DefaultNamespaces: map[string]cache.Config{ns: {}}, SyncPeriod: resync}
}

func controllerConfig(skipNameValidation bool) config.Controller {
	return config.Controller{SkipNameValidation: &skipNameValidation}
}
