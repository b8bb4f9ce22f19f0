package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
)

type tc struct {
	Kind  string          `json:"kind"`
	Doc   json.RawMessage `json:"doc"`
	Patch json.RawMessage `json:"patch"`
}

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var c tc
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			panic(err)
		}
		var ds interface{} = &corev1.Pod{}
		if c.Kind == "Deployment" {
			ds = &appsv1.Deployment{}
		}
		out, err := strategicpatch.StrategicMergePatch(c.Doc, c.Patch, ds)
		if err != nil {
			fmt.Printf("{\"error\":%q}\n", err.Error())
			continue
		}
		fmt.Println(string(out))
	}
}
