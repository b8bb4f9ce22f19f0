// Command skiff-load loads an API server the way Go clients do, for the benchmarks (bench/go-load.ts).
//
// Usage:
//
//	skiff-load creates -server URL -token T -ca FILE [-workers 32] [-count 20000] [-warmup 2000]
//	skiff-load watch   -server URL -token T -ca FILE [-watchers 200] [-updates 1000]
//
// creates: client-go (no client-side rate limit) creating ConfigMaps from `workers` goroutines.
// watch: `watchers` watches of one ConfigMap, each on its own connection, then `updates` sequential
// merge patches of it from client-go; reports updates/s and the delay from sending an update to each
// watcher reading its event. The watchers read each event's sequence number without decoding the
// whole object, so the figure is the server's rather than the client's.
//
// Prints one JSON object with the figures on stdout.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

type common struct{ server, token, ca string }

func (c *common) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.server, "server", "", "API server URL")
	fs.StringVar(&c.token, "token", "", "bearer token")
	fs.StringVar(&c.ca, "ca", "", "CA certificate file")
}

// config is a client-go config without a client-side rate limit; dials counts new connections.
func (c *common) config(dials *atomic.Int64) *rest.Config {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return &rest.Config{
		Host: c.server, BearerToken: c.token, TLSClientConfig: rest.TLSClientConfig{CAFile: c.ca},
		QPS: -1, Burst: -1, Timeout: 60 * time.Second,
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return d.DialContext(ctx, network, addr)
		},
	}
}

func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)) * p)
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "skiff-load: "+format+"\n", a...)
	os.Exit(1)
}

func creates(args []string) map[string]any {
	var c common
	fs := flag.NewFlagSet("creates", flag.ExitOnError)
	c.flags(fs)
	workers := fs.Int("workers", 32, "concurrent clients")
	count := fs.Int("count", 20000, "measured creates")
	warmup := fs.Int("warmup", 2000, "creates before measuring")
	ns := fs.String("namespace", "default", "namespace")
	idle := fs.Int("idle", 0, "idle connections kept per host (0: client-go's default, 25)")
	_ = fs.Parse(args)
	var dials atomic.Int64
	cfg := c.config(&dials)
	if *idle > 0 {
		// client-go keeps 25 idle connections per host; over HTTP/1.1 more concurrent clients than
		// that close and re-open connections (a TLS handshake each). -idle keeps them all.
		cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
			if t, ok := rt.(*http.Transport); ok {
				t.MaxIdleConnsPerHost = *idle
			}
			return rt
		}
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		fail("%v", err)
	}
	run := func(prefix string, n int) ([]float64, time.Duration) {
		var next atomic.Int64
		lat := make([][]float64, *workers)
		var wg sync.WaitGroup
		start := time.Now()
		for w := 0; w < *workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for {
					i := next.Add(1)
					if i > int64(n) {
						return
					}
					cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%d", prefix, i), Labels: map[string]string{"app": "load"}},
						Data: map[string]string{"key": "value", "index": strconv.FormatInt(i, 10)}}
					t := time.Now()
					if _, err := cs.CoreV1().ConfigMaps(*ns).Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
						fail("create %s: %v", cm.Name, err)
					}
					lat[w] = append(lat[w], float64(time.Since(t).Microseconds())/1000)
				}
			}(w)
		}
		wg.Wait()
		var all []float64
		for _, l := range lat {
			all = append(all, l...)
		}
		sort.Float64s(all)
		return all, time.Since(start)
	}
	// Names unique to this run: the tool may run several times against one server.
	id := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	run("warm-"+id, *warmup)
	d0 := dials.Load()
	lat, took := run("load-"+id, *count)
	return map[string]any{
		"creates": *count, "workers": *workers, "seconds": took.Seconds(),
		"perSecond": float64(*count) / took.Seconds(), "p50ms": pct(lat, 0.5), "p99ms": pct(lat, 0.99),
		"newConnections": dials.Load() - d0,
	}
}

func watch(args []string) map[string]any {
	var c common
	fs := flag.NewFlagSet("watch", flag.ExitOnError)
	c.flags(fs)
	watchers := fs.Int("watchers", 200, "watches of the object, one connection each")
	updates := fs.Int("updates", 1000, "sequential updates")
	name := fs.String("name", "fanout", "ConfigMap name (created in default)")
	_ = fs.Parse(args)
	var dials atomic.Int64
	cfg := c.config(&dials)
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		fail("%v", err)
	}
	ctx := context.Background()
	cm, err := cs.CoreV1().ConfigMaps("default").Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: *name}, Data: map[string]string{"seq": "0"}}, metav1.CreateOptions{})
	if err != nil {
		fail("create: %v", err)
	}
	tr, err := rest.TransportFor(cfg)
	if err != nil {
		fail("%v", err)
	}
	client := &http.Client{Transport: tr}
	url := fmt.Sprintf("%s/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%%3D%s&resourceVersion=%s", c.server, *name, cm.ResourceVersion)
	sent := make([]atomic.Int64, *updates+1)
	start := time.Now()
	delays := make([][]float64, *watchers)
	var done sync.WaitGroup
	bodies := make([]*http.Response, *watchers)
	for w := 0; w < *watchers; w++ {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Accept", "application/json")
		res, err := client.Do(req)
		if err != nil || res.StatusCode != 200 {
			fail("watch %d: %v %v", w, err, res)
		}
		bodies[w] = res
		done.Add(1)
		go func(w int, res *http.Response) {
			defer done.Done()
			r := bufio.NewReaderSize(res.Body, 64*1024)
			got := 0
			seqKey := []byte(`"seq":"`)
			modified := []byte(`{"type":"MODIFIED"`)
			for got < *updates {
				line, err := r.ReadSlice('\n')
				if err != nil {
					return
				}
				now := time.Since(start).Nanoseconds()
				if !bytes.HasPrefix(line, modified) {
					continue
				}
				i := bytes.Index(line, seqKey)
				if i < 0 {
					fail("event without data.seq: %s", line)
				}
				rest := line[i+len(seqKey):]
				seq, err := strconv.Atoi(string(rest[:bytes.IndexByte(rest, '"')]))
				if err != nil || seq < 1 || seq > *updates {
					fail("bad seq in %s", line)
				}
				delays[w] = append(delays[w], float64(now-sent[seq].Load())/1e6)
				got++
			}
		}(w, res)
	}
	t0 := time.Now()
	for seq := 1; seq <= *updates; seq++ {
		sent[seq].Store(time.Since(start).Nanoseconds())
		patch := []byte(fmt.Sprintf(`{"data":{"seq":"%d"}}`, seq))
		if _, err := cs.CoreV1().ConfigMaps("default").Patch(ctx, *name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			fail("patch %d: %v", seq, err)
		}
	}
	writeTook := time.Since(t0)
	finished := make(chan struct{})
	go func() { done.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(30 * time.Second):
	}
	allTook := time.Since(t0)
	for _, b := range bodies {
		b.Body.Close()
	}
	var all []float64
	for _, d := range delays {
		all = append(all, d...)
	}
	sort.Float64s(all)
	return map[string]any{
		"watchers": *watchers, "updates": *updates, "updatesPerSecond": float64(*updates) / writeTook.Seconds(),
		"allDeliveredMs": allTook.Milliseconds(), "delivered": len(all), "expected": *watchers * *updates,
		"p50ms": pct(all, 0.5), "p99ms": pct(all, 0.99),
	}
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: skiff-load creates|watch -server URL -token T -ca FILE ...")
	}
	var out map[string]any
	switch os.Args[1] {
	case "creates":
		out = creates(os.Args[2:])
	case "watch":
		out = watch(os.Args[2:])
	default:
		fail("unknown mode %q", os.Args[1])
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}
