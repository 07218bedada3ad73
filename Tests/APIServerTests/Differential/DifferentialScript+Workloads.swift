extension DifferentialScript {
    /// The controllers session: what users do with running workloads — roll Deployments out and
    /// back, run Jobs, scale StatefulSets, route Services — on the embedded plane with its own
    /// controllers, and on a kit running all of kube-controller-manager; both with Mizzen's
    /// simulated node (the kit has no kubelet), so that what differs is the controllers and the
    /// API server. Each step that follows a change waits for it first (`rollout status`,
    /// `kubectl wait`), so both sides are compared at rest.
    static let workloadSteps: [DifferentialStep] =
        [k(.nodeAndPods, "wk.namespace", ["create", "namespace", "{ns}"])]
        + nodeAndPods + rollouts + statefulAndDaemon + batchRuns + serviceRouting
        + [k(.serviceRouting, "wk.cleanup", ["delete", "namespace", "{ns}", "--wait=false"])]

    static let nodeAndPods: [DifferentialStep] = [
        k(.nodeAndPods, "nd.node-ready", ["wait", "--for=condition=Ready", "node/mizzen", "--timeout=60s"]),
        k(.nodeAndPods, "nd.node-fields", ["get", "node", "mizzen", "-o",
                                            "jsonpath={.metadata.labels} {.spec} {.status.conditions[*].type} {.status.conditions[*].status} {.status.conditions[*].reason} {.status.nodeInfo.operatingSystem} {.status.nodeInfo.architecture}"]),
        k(.nodeAndPods, "nd.lease", ["get", "lease", "mizzen", "-n", "kube-node-lease", "-o",
                                      "jsonpath={.spec.holderIdentity} {.spec.leaseDurationSeconds} {.metadata.ownerReferences[*].kind}"]),
        k(.nodeAndPods, "nd.run", ["run", "solo", "--image=nginx:1.27", "-n", "{ns}", "--labels=app=solo"]),
        k(.nodeAndPods, "nd.wait-ready", ["wait", "--for=condition=Ready", "pod/solo", "-n", "{ns}", "--timeout=60s"]),
        k(.nodeAndPods, "nd.pod-status", ["get", "pod", "solo", "-n", "{ns}", "-o",
                                           "jsonpath={.spec.nodeName} {.status.phase} {.status.conditions[*].type} {.status.conditions[*].status} {.status.qosClass} {.status.containerStatuses[0].ready} {.status.containerStatuses[0].started} {.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].image}"]),
        k(.nodeAndPods, "nd.pod-table", ["get", "pod", "solo", "-n", "{ns}"]),
        k(.nodeAndPods, "nd.pod-events", ["get", "events", "-n", "{ns}", "--field-selector", "involvedObject.name=solo",
                                           "--sort-by=.reason", "-o", "custom-columns=REASON:.reason,SOURCE:.source.component,TYPE:.type"]),
        k(.nodeAndPods, "nd.logs", ["logs", "solo", "-n", "{ns}"]),
        k(.nodeAndPods, "nd.delete", ["delete", "pod", "solo", "-n", "{ns}", "--timeout=60s"]),
        k(.nodeAndPods, "nd.deleted", ["get", "pods", "-n", "{ns}", "-l", "app=solo", "-o", "name"]),
    ]

    static let rollouts: [DifferentialStep] = [
        k(.rollouts, "ro.create", ["create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "-n", "{ns}"]),
        k(.rollouts, "ro.status", ["rollout", "status", "deployment/web", "-n", "{ns}", "--timeout=120s"]),
        k(.rollouts, "ro.table", ["get", "deployment", "web", "-n", "{ns}"]),
        k(.rollouts, "ro.deployment-status", ["get", "deployment", "web", "-n", "{ns}", "-o",
                                               "jsonpath={.metadata.annotations} {.metadata.generation} {.status.observedGeneration} {.status.replicas} {.status.updatedReplicas} {.status.readyReplicas} {.status.availableReplicas} {.status.unavailableReplicas} {.status.conditions[*].type} {.status.conditions[*].status} {.status.conditions[*].reason}"]),
        k(.rollouts, "ro.conditions-messages", ["get", "deployment", "web", "-n", "{ns}", "-o",
                                                 "jsonpath={range .status.conditions[*]}{.type}: {.message}{\"\\n\"}{end}"]),
        k(.rollouts, "ro.rs", ["get", "rs", "-n", "{ns}", "-l", "app=web", "-o",
                                "jsonpath={range .items[*]}{.metadata.name} {.metadata.labels} {.metadata.annotations} {.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].controller} {.spec.replicas} {.spec.selector} {.status}{\"\\n\"}{end}"]),
        k(.rollouts, "ro.pods", ["get", "pods", "-n", "{ns}", "-l", "app=web", "-o",
                                  "jsonpath={range .items[*]}{.metadata.generateName} {.metadata.ownerReferences[0].kind} {.status.phase} {.status.conditions[?(@.type==\"Ready\")].status}{\"\\n\"}{end}"]),
        k(.rollouts, "ro.events-create", ["get", "events", "-n", "{ns}", "--field-selector", "involvedObject.kind=Deployment",
                                           "-o", "custom-columns=REASON:.reason,SOURCE:.source.component,MESSAGE:.message"]),
        k(.rollouts, "ro.rs-events", ["get", "events", "-n", "{ns}", "--field-selector", "involvedObject.kind=ReplicaSet,reason=SuccessfulCreate",
                                       "-o", "custom-columns=REASON:.reason,SOURCE:.source.component"]),
        k(.rollouts, "ro.set-image", ["set", "image", "deployment/web", "nginx=nginx:1.28", "-n", "{ns}"]),
        k(.rollouts, "ro.status-2", ["rollout", "status", "deployment/web", "-n", "{ns}", "--timeout=120s"]),
        k(.rollouts, "ro.history", ["rollout", "history", "deployment/web", "-n", "{ns}"]),
        k(.rollouts, "ro.history-2", ["rollout", "history", "deployment/web", "-n", "{ns}", "--revision=2"]),
        k(.rollouts, "ro.rs-after", ["get", "rs", "-n", "{ns}", "-l", "app=web", "--sort-by=.metadata.annotations.deployment\\.kubernetes\\.io/revision", "-o",
                                      "custom-columns=REVISION:.metadata.annotations.deployment\\.kubernetes\\.io/revision,DESIRED:.spec.replicas,READY:.status.readyReplicas,IMAGE:.spec.template.spec.containers[0].image"]),
        k(.rollouts, "ro.undo", ["rollout", "undo", "deployment/web", "-n", "{ns}"]),
        k(.rollouts, "ro.status-3", ["rollout", "status", "deployment/web", "-n", "{ns}", "--timeout=120s"]),
        k(.rollouts, "ro.history-3", ["rollout", "history", "deployment/web", "-n", "{ns}"]),
        k(.rollouts, "ro.image-after-undo", ["get", "deployment", "web", "-n", "{ns}", "-o",
                                              "jsonpath={.spec.template.spec.containers[0].image} {.metadata.annotations}"]),
        k(.rollouts, "ro.scale", ["scale", "deployment", "web", "--replicas=1", "-n", "{ns}"]),
        k(.rollouts, "ro.status-4", ["rollout", "status", "deployment/web", "-n", "{ns}", "--timeout=120s"]),
        k(.rollouts, "ro.rs-scaled", ["get", "rs", "-n", "{ns}", "-l", "app=web", "--sort-by=.metadata.annotations.deployment\\.kubernetes\\.io/revision", "-o",
                                       "custom-columns=REVISION:.metadata.annotations.deployment\\.kubernetes\\.io/revision,DESIRED:.spec.replicas,CURRENT:.status.replicas,READY:.status.readyReplicas"]),
        k(.rollouts, "ro.pause", ["rollout", "pause", "deployment/web", "-n", "{ns}"]),
        k(.rollouts, "ro.paused", ["wait", "--for=jsonpath={.status.conditions[?(@.type==\"Progressing\")].reason}=DeploymentPaused",
                                   "deployment/web", "-n", "{ns}", "--timeout=60s"]),
        k(.rollouts, "ro.set-image-paused", ["set", "image", "deployment/web", "nginx=nginx:1.29", "-n", "{ns}"]),
        k(.rollouts, "ro.paused-rs", ["get", "rs", "-n", "{ns}", "-l", "app=web", "--sort-by=.metadata.annotations.deployment\\.kubernetes\\.io/revision",
                                       "-o", "custom-columns=IMAGE:.spec.template.spec.containers[0].image"]),
        k(.rollouts, "ro.resume", ["rollout", "resume", "deployment/web", "-n", "{ns}"]),
        k(.rollouts, "ro.status-5", ["rollout", "status", "deployment/web", "-n", "{ns}", "--timeout=120s"]),
        k(.rollouts, "ro.history-5", ["rollout", "history", "deployment/web", "-n", "{ns}"]),
        k(.rollouts, "ro.recreate", ["create", "-f", "-"], stdin: """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: rec, namespace: "{ns}"}
            spec:
              replicas: 2
              revisionHistoryLimit: 1
              strategy: {type: Recreate}
              selector: {matchLabels: {app: rec}}
              template:
                metadata: {labels: {app: rec}}
                spec: {containers: [{name: c, image: "nginx:1.27"}]}
            """),
        k(.rollouts, "ro.recreate-status", ["rollout", "status", "deployment/rec", "-n", "{ns}", "--timeout=120s"]),
        k(.rollouts, "ro.recreate-image", ["set", "image", "deployment/rec", "c=nginx:1.28", "-n", "{ns}"]),
        k(.rollouts, "ro.recreate-status-2", ["rollout", "status", "deployment/rec", "-n", "{ns}", "--timeout=120s"]),
        k(.rollouts, "ro.recreate-image-2", ["set", "image", "deployment/rec", "c=nginx:1.29", "-n", "{ns}"]),
        k(.rollouts, "ro.recreate-status-3", ["rollout", "status", "deployment/rec", "-n", "{ns}", "--timeout=120s"]),
        k(.rollouts, "ro.history-limit", ["rollout", "history", "deployment/rec", "-n", "{ns}"]),
        k(.rollouts, "ro.recreate-rs", ["get", "rs", "-n", "{ns}", "-l", "app=rec", "--sort-by=.metadata.annotations.deployment\\.kubernetes\\.io/revision", "-o",
                                         "custom-columns=REVISION:.metadata.annotations.deployment\\.kubernetes\\.io/revision,DESIRED:.spec.replicas"]),
        k(.rollouts, "ro.unpullable", ["set", "image", "deployment/rec", "c=registry.mizzen.invalid/nginx:1", "-n", "{ns}"]),
        k(.rollouts, "ro.unpullable-updated", ["wait", "--for=jsonpath={.status.updatedReplicas}=2", "deployment/rec", "-n", "{ns}", "--timeout=90s"]),
        k(.rollouts, "ro.unpullable-pods", ["wait", "--for=jsonpath={.status.containerStatuses[0].state.waiting.reason}=ImagePullBackOff",
                                             "pods", "-l", "app=rec", "-n", "{ns}", "--timeout=90s"]),
        k(.rollouts, "ro.unpullable-deployment", ["get", "deployment", "rec", "-n", "{ns}", "-o",
                                                   "jsonpath={.status.replicas} {.status.updatedReplicas} {.status.readyReplicas} {.status.unavailableReplicas} {.status.conditions[?(@.type==\"Available\")].status}"]),
    ]

    static let statefulAndDaemon: [DifferentialStep] = [
        k(.statefulAndDaemon, "sd.sts", ["create", "-f", "-"], stdin: """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: "{ns}"}
            spec:
              replicas: 2
              serviceName: db
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec: {containers: [{name: c, image: "postgres:17"}]}
            """),
        k(.statefulAndDaemon, "sd.sts-status", ["rollout", "status", "statefulset/db", "-n", "{ns}", "--timeout=120s"]),
        k(.statefulAndDaemon, "sd.sts-pods", ["get", "pods", "-n", "{ns}", "-l", "app=db", "-o",
                                               "jsonpath={range .items[*]}{.metadata.name} {.metadata.labels} {.spec.hostname} {.spec.subdomain} {.status.phase}{\"\\n\"}{end}"]),
        k(.statefulAndDaemon, "sd.sts-fields", ["get", "statefulset", "db", "-n", "{ns}", "-o",
                                                 "jsonpath={.status.replicas} {.status.readyReplicas} {.status.currentReplicas} {.status.updatedReplicas} {.status.availableReplicas} {.status.currentRevision} {.status.updateRevision} {.status.collisionCount} {.status.observedGeneration}"]),
        k(.statefulAndDaemon, "sd.sts-revisions", ["get", "controllerrevisions", "-n", "{ns}", "-l", "app=db", "-o",
                                                    "jsonpath={range .items[*]}{.metadata.name} {.revision} {.metadata.ownerReferences[0].kind}{\"\\n\"}{end}"]),
        k(.statefulAndDaemon, "sd.sts-scale", ["scale", "statefulset", "db", "--replicas=3", "-n", "{ns}"]),
        k(.statefulAndDaemon, "sd.sts-status-2", ["rollout", "status", "statefulset/db", "-n", "{ns}", "--timeout=120s"]),
        k(.statefulAndDaemon, "sd.sts-pods-2", ["get", "pods", "-n", "{ns}", "-l", "app=db", "-o", "name"]),
        k(.statefulAndDaemon, "sd.sts-image", ["set", "image", "statefulset/db", "c=postgres:17.1", "-n", "{ns}"]),
        k(.statefulAndDaemon, "sd.sts-status-3", ["rollout", "status", "statefulset/db", "-n", "{ns}", "--timeout=120s"]),
        k(.statefulAndDaemon, "sd.sts-history", ["rollout", "history", "statefulset/db", "-n", "{ns}"]),
        k(.statefulAndDaemon, "sd.sts-events", ["get", "events", "-n", "{ns}", "--field-selector", "involvedObject.kind=StatefulSet",
                                                 "--sort-by=.message", "-o", "custom-columns=REASON:.reason,SOURCE:.source.component,MESSAGE:.message"]),
        k(.statefulAndDaemon, "sd.ds", ["create", "-f", "-"], stdin: """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: agent, namespace: "{ns}"}
            spec:
              selector: {matchLabels: {app: agent}}
              template:
                metadata: {labels: {app: agent}}
                spec: {containers: [{name: c, image: "busybox:1.36"}]}
            """),
        k(.statefulAndDaemon, "sd.ds-status", ["rollout", "status", "daemonset/agent", "-n", "{ns}", "--timeout=120s"]),
        k(.statefulAndDaemon, "sd.ds-fields", ["get", "daemonset", "agent", "-n", "{ns}", "-o",
                                                "jsonpath={.status.desiredNumberScheduled} {.status.currentNumberScheduled} {.status.numberReady} {.status.numberAvailable} {.status.updatedNumberScheduled} {.status.numberMisscheduled} {.status.observedGeneration}"]),
        k(.statefulAndDaemon, "sd.ds-pod", ["get", "pods", "-n", "{ns}", "-l", "app=agent", "-o",
                                             "jsonpath={range .items[*]}{.spec.nodeName} {.spec.affinity} {.spec.tolerations}{\"\\n\"}{end}"]),
        k(.statefulAndDaemon, "sd.ds-table", ["get", "daemonset", "agent", "-n", "{ns}"]),
    ]

    static let batchRuns: [DifferentialStep] = [
        k(.batchRuns, "bt.create", ["create", "job", "hello", "--image=busybox:1.36", "-n", "{ns}", "--", "echo", "hi"]),
        k(.batchRuns, "bt.wait", ["wait", "--for=condition=complete", "job/hello", "-n", "{ns}", "--timeout=90s"]),
        k(.batchRuns, "bt.fields", ["get", "job", "hello", "-n", "{ns}", "-o",
                                     "jsonpath={.status.succeeded} {.status.active} {.status.failed} {.status.ready} {.status.terminating} {.status.uncountedTerminatedPods} {.status.conditions[*].type} {.status.conditions[*].reason}"]),
        k(.batchRuns, "bt.table", ["get", "job", "hello", "-n", "{ns}", "-o", "custom-columns=NAME:.metadata.name,STATUS:.status.conditions[-1].type,COMPLETIONS:.status.succeeded"]),
        k(.batchRuns, "bt.pods", ["get", "pods", "-n", "{ns}", "-l", "job-name=hello", "-o",
                                   "jsonpath={range .items[*]}{.metadata.labels} {.metadata.finalizers} {.status.phase} {.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode}{\"\\n\"}{end}"]),
        k(.batchRuns, "bt.events", ["get", "events", "-n", "{ns}", "--field-selector", "involvedObject.kind=Job",
                                     "--sort-by=.reason", "-o", "custom-columns=REASON:.reason,SOURCE:.source.component,MESSAGE:.message"]),
        k(.batchRuns, "bt.cronjob", ["create", "cronjob", "tick", "--image=busybox:1.36", "--schedule=*/5 * * * *", "-n", "{ns}", "--", "date"]),
        k(.batchRuns, "bt.from-cronjob", ["create", "job", "tick-now", "--from=cronjob/tick", "-n", "{ns}"]),
        k(.batchRuns, "bt.from-cronjob-wait", ["wait", "--for=condition=complete", "job/tick-now", "-n", "{ns}", "--timeout=90s"]),
        k(.batchRuns, "bt.from-cronjob-fields", ["get", "job", "tick-now", "-n", "{ns}", "-o",
                                                  "jsonpath={.metadata.annotations} {.metadata.ownerReferences[0].kind} {.status.succeeded}"]),
        k(.batchRuns, "bt.cronjob-table", ["get", "cronjob", "tick", "-n", "{ns}"]),
        k(.batchRuns, "bt.ttl", ["create", "-f", "-"], stdin: """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: brief, namespace: "{ns}"}
            spec:
              ttlSecondsAfterFinished: 0
              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: c, image: "busybox:1.36", command: [echo, hi]}]
            """),
        k(.batchRuns, "bt.ttl-gone", ["wait", "--for=delete", "job/brief", "-n", "{ns}", "--timeout=90s"]),
    ]

    static let serviceRouting: [DifferentialStep] = [
        k(.serviceRouting, "sr.expose", ["expose", "deployment", "web", "--port=80", "--target-port=80", "-n", "{ns}"]),
        k(.serviceRouting, "sr.endpoints", ["wait", "--for=jsonpath={.subsets[0].ports[0].port}=80", "endpoints/web", "-n", "{ns}", "--timeout=60s"]),
        k(.serviceRouting, "sr.endpoints-fields", ["get", "endpoints", "web", "-n", "{ns}", "-o",
                                                    "jsonpath={.metadata.labels} {.subsets[*].addresses[*].nodeName} {.subsets[*].addresses[*].targetRef.kind} {.subsets[*].notReadyAddresses} {.subsets[*].ports}"]),
        k(.serviceRouting, "sr.slices", ["get", "endpointslices", "-n", "{ns}", "-l", "kubernetes.io/service-name=web", "-o",
                                          "jsonpath={range .items[*]}{.metadata.generateName} {.metadata.labels} {.addressType} {.ports} {.endpoints[*].conditions} {.endpoints[*].nodeName} {.endpoints[*].targetRef.kind} {.metadata.ownerReferences[0].kind}{\"\\n\"}{end}"]),
        k(.serviceRouting, "sr.kubernetes-service", ["get", "endpoints,endpointslices", "-n", "default", "-l", "kubernetes.io/service-name=kubernetes", "-o", "name"]),
        k(.serviceRouting, "sr.autoscale", ["autoscale", "deployment", "web", "--min=2", "--max=4", "--cpu-percent=80", "-n", "{ns}"]),
        k(.serviceRouting, "sr.hpa-scaled", ["wait", "--for=jsonpath={.status.currentReplicas}=2", "hpa/web", "-n", "{ns}", "--timeout=90s"]),
        // kube's controller syncs an HPA every 15 s: the rescale is one sync, the metrics failure the next.
        k(.serviceRouting, "sr.hpa-settled", ["wait", "--for=jsonpath={.status.conditions[?(@.type==\"ScalingActive\")].status}=False",
                                               "hpa/web", "-n", "{ns}", "--timeout=90s"]),
        k(.serviceRouting, "sr.hpa-table", ["get", "hpa", "web", "-n", "{ns}"]),
        k(.serviceRouting, "sr.hpa-conditions", ["get", "hpa", "web", "-n", "{ns}", "-o",
                                                  "jsonpath={range .status.conditions[*]}{.type} {.status} {.reason}: {.message}{\"\\n\"}{end}"]),
        k(.serviceRouting, "sr.hpa-deployment", ["rollout", "status", "deployment/web", "-n", "{ns}", "--timeout=120s"]),
        k(.serviceRouting, "sr.pdb", ["create", "pdb", "web", "--selector=app=web", "--min-available=1", "-n", "{ns}"]),
        k(.serviceRouting, "sr.pdb-status", ["wait", "--for=jsonpath={.status.expectedPods}=2", "pdb/web", "-n", "{ns}", "--timeout=60s"]),
        k(.serviceRouting, "sr.pdb-fields", ["get", "pdb", "web", "-n", "{ns}", "-o",
                                              "jsonpath={.status.currentHealthy} {.status.desiredHealthy} {.status.disruptionsAllowed} {.status.expectedPods} {.status.conditions[*].type} {.status.conditions[*].status} {.status.conditions[*].reason}"]),
        k(.serviceRouting, "sr.quota", ["create", "quota", "q", "--hard=pods=20,services=5,count/deployments.apps=5", "-n", "{ns}"]),
        k(.serviceRouting, "sr.quota-used", ["wait", "--for=jsonpath={.status.used.services}=1", "quota/q", "-n", "{ns}", "--timeout=60s"]),
        k(.serviceRouting, "sr.quota-fields", ["get", "quota", "q", "-n", "{ns}", "-o", "jsonpath={.status.hard} {.status.used.services} {.status.used.count/deployments\\.apps}"]),
        k(.serviceRouting, "sr.aggregating-role", ["create", "-f", "-"], stdin: """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: "widgets-all-{run}"}
            aggregationRule:
              clusterRoleSelectors: [{matchLabels: {widgets.example.com/aggregate-{run}: "true"}}]
            """),
        k(.serviceRouting, "sr.aggregate", ["create", "-f", "-"], stdin: """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: widgets-view-{run}
              labels: {widgets.example.com/aggregate-{run}: "true"}
            rules:
              - {apiGroups: [widgets-{run}.example.com], resources: [widgets], verbs: [get, list, watch]}
            """),
        k(.serviceRouting, "sr.aggregated", ["wait", "--for=jsonpath={.rules[0].apiGroups[0]}=widgets-{run}.example.com",
                                              "clusterrole/widgets-all-{run}", "--timeout=60s"]),
        k(.serviceRouting, "sr.aggregated-rules", ["get", "clusterrole", "widgets-all-{run}", "-o", "jsonpath={.rules}"]),
        k(.serviceRouting, "sr.aggregate-delete", ["delete", "clusterrole", "widgets-view-{run}"]),
        k(.serviceRouting, "sr.aggregating-delete", ["delete", "clusterrole", "widgets-all-{run}"]),
    ]
}
