extension DifferentialScript {
    /// Nodes, Endpoints, ResourceQuotas, LimitRanges, PriorityClasses and events.k8s.io Events.
    static let clusterKinds: [DifferentialStep] = [
        k(.clusterKinds, "ck.api-resources-core", ["api-resources", "--api-group=", "-o", "wide"]),
        k(.clusterKinds, "ck.api-resources-scheduling", ["api-resources", "--api-group=scheduling.k8s.io", "-o", "wide"]),
        k(.clusterKinds, "ck.api-resources-events", ["api-resources", "--api-group=events.k8s.io", "-o", "wide"]),
        k(.clusterKinds, "ck.create", ["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Node
            metadata: {name: "{ns}-node", labels: {node-role.kubernetes.io/worker: ""}}
            ---
            apiVersion: v1
            kind: Endpoints
            metadata: {name: ep1, namespace: "{ns}"}
            subsets:
            - addresses: [{ip: 10.1.2.3}]
              ports: [{port: 80, name: http}]
            ---
            apiVersion: v1
            kind: LimitRange
            metadata: {name: lr1, namespace: "{ns}"}
            spec:
              limits:
              - type: Container
                default: {cpu: 500m}
                max: {memory: 1Gi}
            ---
            apiVersion: scheduling.k8s.io/v1
            kind: PriorityClass
            metadata: {name: "{ns}-pc"}
            value: 1000
            description: a test class
            """),
        k(.clusterKinds, "ck.get-node-wide", ["get", "node", "{ns}-node", "-o", "wide"]),
        // By name: the kit's endpoints controller adds Endpoints for the Services of other areas.
        k(.clusterKinds, "ck.get-ep", ["get", "endpoints", "ep1", "-n", "{ns}"]),
        k(.clusterKinds, "ck.limitrange-defaults", ["get", "limitrange", "lr1", "-n", "{ns}", "-o", "jsonpath={.spec.limits}"]),
        k(.clusterKinds, "ck.get-limitrange", ["get", "limits", "-n", "{ns}"]),
        k(.clusterKinds, "ck.get-pc", ["get", "pc", "{ns}-pc", "system-cluster-critical", "system-node-critical", "-o", "wide"]),
        k(.clusterKinds, "ck.pc-yaml", ["get", "pc", "{ns}-pc", "-o", "jsonpath={.value} {.preemptionPolicy} {.metadata.generation}"]),
        k(.clusterKinds, "ck.pc-system-yaml", ["get", "pc", "system-node-critical", "-o", "jsonpath={.value} {.description}"]),
        k(.clusterKinds, "ck.pc-too-big", ["create", "-f", "-"], stdin: """
            apiVersion: scheduling.k8s.io/v1
            kind: PriorityClass
            metadata: {name: "{ns}-pc-big"}
            value: 2000000000
            """),
        k(.clusterKinds, "ck.pc-value-immutable", ["patch", "pc", "{ns}-pc", "--type=merge", "-p", #"{"value":5}"#]),
        k(.clusterKinds, "ck.quota-bad", ["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: ResourceQuota
            metadata: {name: bad-rq, namespace: "{ns}"}
            spec: {hard: {pods: "-1"}}
            """),
        k(.clusterKinds, "ck.node-status-patch", ["patch", "node", "{ns}-node", "--subresource=status", "--type=merge", "-p",
                                                   #"{"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady","message":"ok","lastHeartbeatTime":"2026-01-01T00:00:00Z","lastTransitionTime":"2026-01-01T00:00:00Z"}],"nodeInfo":{"kubeletVersion":"v1.36.0","osImage":"Test OS","kernelVersion":"6.1","containerRuntimeVersion":"none://0","architecture":"amd64"}}}"#]),
        k(.clusterKinds, "ck.get-node-ready", ["get", "node", "{ns}-node", "-o", "wide"]),
        k(.clusterKinds, "ck.node-field-selector", ["get", "nodes", "--field-selector", "metadata.name={ns}-node,spec.unschedulable=false", "-o", "name"]),
        k(.clusterKinds, "ck.event-v1-create", ["create", "-f", "-"], stdin: """
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata: {name: evn1, namespace: "{ns}"}
            eventTime: "2026-01-01T00:00:00.000000Z"
            reportingController: example.com/ctl
            reportingInstance: ctl-1
            action: Testing
            reason: Tested
            type: Normal
            note: hello from events.k8s.io
            regarding: {kind: ConfigMap, name: cm1, namespace: "{ns}", apiVersion: v1}
            """),
        k(.clusterKinds, "ck.event-core-create", ["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Event
            metadata: {name: evc1, namespace: "{ns}"}
            involvedObject: {kind: ConfigMap, name: cm1, namespace: "{ns}", apiVersion: v1}
            reason: Poked
            message: hello from core
            type: Warning
            source: {component: poker, host: node-a}
            firstTimestamp: "2026-01-01T00:00:00Z"
            lastTimestamp: "2026-01-01T00:01:00Z"
            count: 3
            """),
        r(.clusterKinds, "ck.event-core-view", "GET", "/api/v1/namespaces/{ns}/events/evn1"),
        r(.clusterKinds, "ck.event-v1-view", "GET", "/apis/events.k8s.io/v1/namespaces/{ns}/events/evc1"),
        // By name: the kit's controllers record Events of their own in the namespace.
        k(.clusterKinds, "ck.event-v1-list", ["get", "events.v1.events.k8s.io", "evc1", "evn1", "-n", "{ns}", "-o", "wide"]),
        k(.clusterKinds, "ck.event-v1-invalid", ["create", "-f", "-"], stdin: """
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata: {name: bad-evn, namespace: "{ns}"}
            note: missing everything
            """),
        r(.clusterKinds, "ck.event-v1-notfound", "GET", "/apis/events.k8s.io/v1/namespaces/{ns}/events/nothing"),
        k(.clusterKinds, "ck.event-v1-field-selector", ["get", "events.v1.events.k8s.io", "-n", "{ns}", "--field-selector",
                                                         "regarding.name=cm1,reportingController=example.com/ctl", "-o", "name"]),
        k(.clusterKinds, "ck.event-v1-field-selector-core-label", ["get", "events.v1.events.k8s.io", "-n", "{ns}",
                                                                    "--field-selector", "involvedObject.name=cm1", "-o", "name"]),
        r(.clusterKinds, "ck.event-v1-watch", "GET",
          "/apis/events.k8s.io/v1/namespaces/{ns}/events?watch=1&timeoutSeconds=1&fieldSelector=reason%3DPoked"),
        k(.clusterKinds, "ck.quota-generator", ["create", "quota", "q1", "-n", "{ns}", "--hard=pods=5,requests.cpu=1"]),
        k(.clusterKinds, "ck.quota-spec", ["get", "quota", "q1", "-n", "{ns}", "-o", "jsonpath={.spec}"]),
        k(.clusterKinds, "ck.pc-generator", ["create", "priorityclass", "{ns}-pc2", "--value=50", "--description=second",
                                             "--preemption-policy=Never"]),
        k(.clusterKinds, "ck.pc2-json", ["get", "pc", "{ns}-pc2", "-o", "jsonpath={.value} {.description} {.preemptionPolicy} {.globalDefault}"]),
        k(.clusterKinds, "ck.explain-pc", ["explain", "priorityclass.value"]),
        k(.clusterKinds, "ck.explain-events-v1", ["explain", "events.regarding", "--api-version=events.k8s.io/v1"]),
        k(.clusterKinds, "ck.delete-cluster-scoped", ["delete", "node/{ns}-node", "pc/{ns}-pc", "pc/{ns}-pc2"]),
    ]
}
