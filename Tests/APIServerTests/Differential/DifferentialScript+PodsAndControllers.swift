extension DifferentialScript {
    /// Pods, ReplicaSets, DaemonSets, Jobs and CronJobs: stored, defaulted and validated, their
    /// tables, field selectors and subresources. The kit runs no scheduler and no kubelet but runs
    /// the ReplicaSet, DaemonSet, Job and CronJob controllers: the objects here give those
    /// controllers nothing to do (no replicas, a node selector no node has, suspended Jobs and
    /// CronJobs), so that what is compared is what the API server stores.
    static let podsAndControllers: [DifferentialStep] = pods + replicaSets + daemonSets + jobs + cronJobs

    static func pod(_ name: String, extra: String = "") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
          namespace: {ns}
          labels: {app: \(name)}
        spec:
          containers:
            - name: web
              image: nginx:1.27
              ports: [{containerPort: 80}]
              resources: {limits: {cpu: 100m, memory: 64Mi}}
        \(extra)
        """
    }

    static let pods: [DifferentialStep] = [
        k(.podsAndControllers, "po.create", ["create", "-f", "-"], stdin: pod("po1")),
        k(.podsAndControllers, "po.get", ["get", "pod", "po1", "-n", "{ns}"]),
        k(.podsAndControllers, "po.get-wide", ["get", "pods", "-n", "{ns}", "-l", "app=po1", "-o", "wide"]),
        k(.podsAndControllers, "po.defaults", ["get", "pod", "po1", "-n", "{ns}", "-o",
                                               "jsonpath={.spec.serviceAccountName} {.spec.serviceAccount} {.spec.enableServiceLinks} {.spec.priority} {.spec.preemptionPolicy} {.spec.tolerations} {.spec.containers[0].resources} {.spec.containers[0].imagePullPolicy} {.spec.dnsPolicy} {.spec.schedulerName} {.metadata.generation} {.status}"]),
        k(.podsAndControllers, "po.run", ["run", "po2", "--image=busybox", "--restart=Never", "-n", "{ns}", "--labels=app=po2"]),
        k(.podsAndControllers, "po.run-table", ["get", "pod", "po2", "-n", "{ns}", "-o", "jsonpath={.spec.restartPolicy} {.spec.containers[0].imagePullPolicy} {.status.qosClass}"]),
        k(.podsAndControllers, "po.fs-phase", ["get", "pods", "-n", "{ns}", "--field-selector", "status.phase=Pending", "-l", "app in (po1,po2,po3)", "-o", "name"]),
        k(.podsAndControllers, "po.fs-node", ["get", "pods", "-n", "{ns}", "--field-selector", "spec.nodeName=", "-l", "app in (po1,po2,po3)", "-o", "name"]),
        k(.podsAndControllers, "po.fs-restart", ["get", "pods", "-n", "{ns}", "--field-selector", "spec.restartPolicy=Never,spec.schedulerName=default-scheduler", "-o", "name"]),
        k(.podsAndControllers, "po.fs-bad", ["get", "pods", "-n", "{ns}", "--field-selector", "spec.bogus=1"]),
        k(.podsAndControllers, "po.logs-unscheduled", ["logs", "po1", "-n", "{ns}"]),
        r(.podsAndControllers, "po.log-bad-container", "GET", "/api/v1/namespaces/{ns}/pods/po1/log?container=bogus"),
        r(.podsAndControllers, "po.log-missing-pod", "GET", "/api/v1/namespaces/{ns}/pods/nope/log"),
        k(.podsAndControllers, "po.patch-image", ["patch", "pod", "po1", "-n", "{ns}", "-p", #"{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}"#]),
        k(.podsAndControllers, "po.patch-add-container", ["patch", "pod", "po1", "-n", "{ns}", "--type=json", "-p",
                                                          #"[{"op":"add","path":"/spec/containers/-","value":{"name":"x","image":"busybox"}}]"#]),
        k(.podsAndControllers, "po.patch-deadline", ["patch", "pod", "po1", "-n", "{ns}", "-p", #"{"spec":{"activeDeadlineSeconds":600}}"#]),
        k(.podsAndControllers, "po.patch-deadline-up", ["patch", "pod", "po1", "-n", "{ns}", "-p", #"{"spec":{"activeDeadlineSeconds":900}}"#]),
        k(.podsAndControllers, "po.no-containers", ["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Pod
            metadata: {name: empty, namespace: {ns}}
            spec: {containers: []}
            """),
        k(.podsAndControllers, "po.status-patch", ["patch", "pod", "po2", "-n", "{ns}", "--subresource=status", "--type=merge", "-p",
                                                   #"{"status":{"phase":"Running","podIP":"10.1.2.3","podIPs":[{"ip":"10.1.2.3"}]}}"#]),
        k(.podsAndControllers, "po.status-table", ["get", "pod", "po2", "-n", "{ns}", "-o", "wide"]),
        k(.podsAndControllers, "po.fs-ip", ["get", "pods", "-n", "{ns}", "--field-selector", "status.podIP=10.1.2.3", "-o", "name"]),
        r(.podsAndControllers, "po.bind", "POST", "/api/v1/namespaces/{ns}/pods/po1/binding",
          body: #"{"apiVersion":"v1","kind":"Binding","metadata":{"name":"po1"},"target":{"kind":"Node","name":"node-a"}}"#),
        k(.podsAndControllers, "po.bound", ["get", "pod", "po1", "-n", "{ns}", "-o", "jsonpath={.spec.nodeName} {.status.conditions[0].type} {.status.conditions[0].status}"]),
        r(.podsAndControllers, "po.bind-again", "POST", "/api/v1/namespaces/{ns}/pods/po1/binding",
          body: #"{"apiVersion":"v1","kind":"Binding","metadata":{"name":"po1"},"target":{"kind":"Node","name":"node-b"}}"#),
        r(.podsAndControllers, "po.bind-wrong-name", "POST", "/api/v1/namespaces/{ns}/pods/po2/binding",
          body: #"{"apiVersion":"v1","kind":"Binding","metadata":{"name":"other"},"target":{"name":"node-a"}}"#),
        k(.podsAndControllers, "po.fs-bound", ["get", "pods", "-n", "{ns}", "--field-selector", "spec.nodeName=node-a", "-o", "name"]),
        k(.podsAndControllers, "po.create-to-evict", ["create", "-f", "-"], stdin: pod("po3")),
        r(.podsAndControllers, "po.evict-wrong-name", "POST", "/api/v1/namespaces/{ns}/pods/po3/eviction",
          body: #"{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"x"}}"#),
        r(.podsAndControllers, "po.evict-missing", "POST", "/api/v1/namespaces/{ns}/pods/nope/eviction",
          body: #"{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"nope"}}"#),
        r(.podsAndControllers, "po.evict", "POST", "/api/v1/namespaces/{ns}/pods/po3/eviction",
          body: #"{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"po3"}}"#),
        k(.podsAndControllers, "po.evicted", ["get", "pod", "po3", "-n", "{ns}"]),
        k(.podsAndControllers, "po.explain", ["explain", "pod.spec.restartPolicy"]),
    ]

    static let replicaSets: [DifferentialStep] = [
        k(.podsAndControllers, "rs.create", ["create", "-f", "-", "-o", "yaml"], stdin: """
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata: {name: rs1, namespace: {ns}}
            spec:
              replicas: 0
              selector: {matchLabels: {app: rs1}}
              template:
                metadata: {labels: {app: rs1}}
                spec: {containers: [{name: c, image: busybox}]}
            """),
        k(.podsAndControllers, "rs.get-wide", ["get", "rs", "rs1", "-n", "{ns}", "-o", "wide"]),
        k(.podsAndControllers, "rs.scale-get", ["get", "rs", "rs1", "-n", "{ns}", "--subresource=scale", "-o", "jsonpath={.kind} {.spec.replicas} {.status.selector}"]),
        k(.podsAndControllers, "rs.describe", ["describe", "rs", "rs1", "-n", "{ns}"]),
        k(.podsAndControllers, "rs.selector-immutable", ["patch", "rs", "rs1", "-n", "{ns}", "--type=merge", "-p",
                                                         #"{"spec":{"selector":{"matchLabels":{"app":"other"}},"template":{"metadata":{"labels":{"app":"other"}}}}}"#]),
        k(.podsAndControllers, "rs.invalid", ["create", "-f", "-"], stdin: """
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata: {name: bad, namespace: {ns}}
            spec:
              template:
                metadata: {labels: {a: b}}
                spec: {restartPolicy: Never, activeDeadlineSeconds: 5, containers: [{name: c, image: x}]}
            """),
        k(.podsAndControllers, "rs.status-invalid", ["patch", "rs", "rs1", "-n", "{ns}", "--subresource=status", "--type=merge", "-p",
                                                     #"{"status":{"replicas":0,"readyReplicas":2}}"#]),
        k(.podsAndControllers, "rs.fs-bad", ["get", "rs", "-n", "{ns}", "--field-selector", "status.replicas=0"]),
        k(.podsAndControllers, "rs.explain", ["explain", "replicaset.spec.minReadySeconds"]),
        k(.podsAndControllers, "rs.api-resources", ["api-resources", "--api-group=apps", "-o", "wide"]),
    ]

    static let daemonSets: [DifferentialStep] = [
        k(.podsAndControllers, "ds.create", ["create", "-f", "-", "-o", "yaml"], stdin: """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: ds1, namespace: {ns}}
            spec:
              selector: {matchLabels: {app: ds1}}
              template:
                metadata: {labels: {app: ds1}}
                spec:
                  nodeSelector: {mizzen.example.com/never: "true"}
                  containers: [{name: c, image: busybox}]
            """),
        k(.podsAndControllers, "ds.get-wide", ["get", "ds", "ds1", "-n", "{ns}", "-o", "wide"]),
        k(.podsAndControllers, "ds.template-generation", ["patch", "ds", "ds1", "-n", "{ns}", "--type=merge", "-o",
                                                          "jsonpath={.metadata.generation} {.metadata.annotations}", "-p",
                                                          #"{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox:1.36"}]}}}}"#]),
        k(.podsAndControllers, "ds.describe", ["describe", "ds", "ds1", "-n", "{ns}"]),
        k(.podsAndControllers, "ds.invalid", ["create", "-f", "-"], stdin: """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: bad, namespace: {ns}}
            spec:
              updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 0}}
              template:
                metadata: {labels: {a: b}}
                spec: {restartPolicy: Never, containers: [{name: c, image: x}]}
            """),
    ]

    static let jobs: [DifferentialStep] = [
        k(.podsAndControllers, "job.create", ["create", "-f", "-", "-o", "yaml"], stdin: """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: job1, namespace: {ns}}
            spec:
              suspend: true
              template:
                spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
            """),
        k(.podsAndControllers, "job.completions-immutable", ["patch", "job", "job1", "-n", "{ns}", "--type=merge", "-p", #"{"spec":{"completions":3}}"#]),
        k(.podsAndControllers, "job.suspended-template-labels", ["patch", "job", "job1", "-n", "{ns}", "--type=merge", "-p",
                                                                 #"{"spec":{"template":{"metadata":{"annotations":{"note":"x"}}}}}"#]),
        k(.podsAndControllers, "job.fs-successful", ["get", "jobs", "-n", "{ns}", "--field-selector", "status.successful=0", "-o", "name"]),
        k(.podsAndControllers, "job.fs-bad", ["get", "jobs", "-n", "{ns}", "--field-selector", "spec.suspend=true"]),
        k(.podsAndControllers, "job.invalid", ["create", "-f", "-"], stdin: """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: bad, namespace: {ns}}
            spec:
              parallelism: -1
              template:
                spec: {containers: [{name: c, image: x}]}
            """),
        k(.podsAndControllers, "job.manual-selector", ["create", "-f", "-"], stdin: """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: manual, namespace: {ns}}
            spec:
              suspend: true
              manualSelector: true
              template:
                metadata: {labels: {x: y}}
                spec: {restartPolicy: Never, containers: [{name: c, image: x}]}
            """),
        k(.podsAndControllers, "job.generator", ["create", "job", "gen-job", "--image=busybox", "-n", "{ns}", "--dry-run=server", "-o",
                                                 "jsonpath={.spec.template.spec.restartPolicy} {.spec.backoffLimit} {.spec.completions}"]),
        k(.podsAndControllers, "job.explain", ["explain", "job.spec.backoffLimit"]),
    ]

    static let cronJobs: [DifferentialStep] = [
        k(.podsAndControllers, "cj.create", ["create", "-f", "-", "-o", "yaml"], stdin: """
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: cj1, namespace: {ns}}
            spec:
              schedule: "*/5 * * * *"
              suspend: true
              jobTemplate:
                spec:
                  template:
                    spec: {restartPolicy: OnFailure, containers: [{name: c, image: busybox}]}
            """),
        k(.podsAndControllers, "cj.get-wide", ["get", "cronjobs", "-n", "{ns}", "-o", "wide"]),
        k(.podsAndControllers, "cj.describe", ["describe", "cronjob", "cj1", "-n", "{ns}"]),
        k(.podsAndControllers, "cj.suspend-table", ["patch", "cronjob", "cj1", "-n", "{ns}", "--type=merge", "-p", #"{"spec":{"timeZone":"Europe/Paris"}}"#]),
        k(.podsAndControllers, "cj.timezone-column", ["get", "cronjob", "cj1", "-n", "{ns}"]),
        k(.podsAndControllers, "cj.bad-schedule", ["create", "-f", "-"], stdin: """
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: bad, namespace: {ns}}
            spec:
              schedule: "* * * *"
              timeZone: Mars/Base
              jobTemplate:
                spec:
                  template:
                    spec: {containers: [{name: c, image: x}]}
            """),
        k(.podsAndControllers, "cj.tz-in-schedule", ["create", "cronjob", "tz", "--image=busybox", "--schedule=TZ=UTC 0 * * * *", "-n", "{ns}"]),
        k(.podsAndControllers, "cj.range", ["create", "cronjob", "range", "--image=busybox", "--schedule=0 25 * * *", "-n", "{ns}"]),
        k(.podsAndControllers, "cj.generator", ["create", "cronjob", "gen-cj", "--image=busybox", "--schedule=@hourly", "-n", "{ns}", "--dry-run=server", "-o",
                                                "jsonpath={.spec.schedule} {.spec.concurrencyPolicy} {.spec.jobTemplate.spec.template.spec.restartPolicy}"]),
        k(.podsAndControllers, "cj.job-from", ["create", "job", "from-cj", "--from=cronjob/cj1", "-n", "{ns}", "--dry-run=server", "-o",
                                               "jsonpath={.metadata.annotations} {.metadata.ownerReferences[0].kind} {.spec.template.spec.restartPolicy} {.spec.backoffLimit}"]),
        k(.podsAndControllers, "cj.explain", ["explain", "cronjob.spec.timeZone"]),
        k(.podsAndControllers, "cj.api-resources", ["api-resources", "--api-group=batch", "-o", "wide"]),
        r(.podsAndControllers, "cj.discovery", "GET", "/apis/batch/v1"),
    ]
}
