import Foundation

/// The scripted session the differential test runs against both servers, in order. Later steps
/// use the objects of earlier ones, as a user's session would. Add steps at the end of an area;
/// keep every object in the run's namespace `{ns}` or named after the run, so runs never collide
/// on a long-lived reference cluster.
enum DifferentialScript {
    static let steps: [DifferentialStep] =
        namespaces + generators + configAndSecrets + workloads + typing + defaults + validation + getOutput
        + selectorsAndPaging + watch + clientSideApply + serverSideApply + diff + patches + subresources + wait
        + customResources + dryRun + explain + discovery + auth + badInput
        + podsAndControllers + accessControl + clusterKinds + networkingAndPolicy + deletion

    // MARK: Building steps

    static func k(
        _ area: DifferentialArea, _ id: String, _ arguments: [String], stdin: String? = nil, capture: String? = nil
    ) -> DifferentialStep {
        DifferentialStep(area: area, id: id, action: .kubectl(arguments, stdin: stdin), capture: capture)
    }

    static func r(
        _ area: DifferentialArea, _ id: String, _ method: String, _ path: String, body: String? = nil,
        contentType: String? = "application/json", accept: String? = "application/json"
    ) -> DifferentialStep {
        DifferentialStep(area: area, id: id,
                         action: .request(method: method, path: path, body: body, contentType: contentType, accept: accept))
    }

    // MARK: Manifests

    static func configMap(_ name: String, data: String = "a: \"1\"", extra: String = "") -> String {
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: \(name)
          namespace: {ns}
        \(extra)
        data:
          \(data)
        """
    }

    static func deployment(
        _ name: String, selector: String = "app: NAME", labels: String = "app: NAME", replicas: String = "2",
        containers: String = """
                    - name: web
                      image: nginx:1.27
                      ports:
                        - containerPort: 80
            """
    ) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: \(name)
          namespace: {ns}
          labels: {app: \(name)}
        spec:
          replicas: \(replicas)
          selector:
            matchLabels:
              \(selector.replacingOccurrences(of: "NAME", with: name))
          template:
            metadata:
              labels:
                \(labels.replacingOccurrences(of: "NAME", with: name))
            spec:
              containers:
        \(containers)
        """
    }

    static let widgetCRD = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.r{run}.example.com
        spec:
          group: r{run}.example.com
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wdg]}
          versions:
            - name: v1
              served: true
              storage: true
              subresources:
                status: {}
                scale:
                  specReplicasPath: .spec.replicas
                  statusReplicasPath: .status.replicas
                  labelSelectorPath: .status.selector
              additionalPrinterColumns:
                - {name: Size, type: integer, jsonPath: .spec.size}
                - {name: Colour, type: string, jsonPath: .spec.colour}
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      required: [size]
                      properties:
                        size: {type: integer, minimum: 1, description: How big the widget is.}
                        colour: {type: string, enum: [red, blue]}
                        replicas: {type: integer}
                    status:
                      type: object
                      properties:
                        replicas: {type: integer}
                        selector: {type: string}
        """

    static func widget(_ name: String, spec: String) -> String {
        """
        apiVersion: r{run}.example.com/v1
        kind: Widget
        metadata:
          name: \(name)
          namespace: {ns}
        spec:
          \(spec)
        """
    }

    // MARK: Areas

    static let namespaces: [DifferentialStep] = [
        k(.namespaces, "ns.create", ["create", "namespace", "{ns}"]),
        k(.namespaces, "ns.create-again", ["create", "namespace", "{ns}"]),
        k(.namespaces, "ns.create-invalid-name", ["create", "namespace", "Bad_Name"]),
        k(.namespaces, "ns.get-yaml", ["get", "namespace", "{ns}", "-o", "yaml"]),
        k(.namespaces, "ns.get-table", ["get", "namespace", "{ns}"]),
        k(.namespaces, "ns.phase", ["get", "namespace", "{ns}", "-o", "jsonpath={.status.phase}"]),
        k(.namespaces, "ns.apply", ["apply", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: {ns}-second
              labels: {team: a}
            """),
        k(.namespaces, "ns.label-selector", ["get", "namespaces", "-l", "team=a", "-o", "name"]),
        k(.namespaces, "ns.object-in-missing-namespace", ["create", "configmap", "x", "--from-literal=a=1", "-n", "{ns}-missing"]),
    ]

    static let generators: [DifferentialStep] = [
        k(.generators, "gen.configmap", ["create", "configmap", "gen-cm", "--from-literal=a=1", "--from-literal=b=two", "-n", "{ns}"]),
        k(.generators, "gen.configmap-yaml", ["get", "configmap", "gen-cm", "-n", "{ns}", "-o", "yaml"]),
        k(.generators, "gen.configmap-exists", ["create", "configmap", "gen-cm", "--from-literal=a=1", "-n", "{ns}"]),
        k(.generators, "gen.configmap-invalid-name", ["create", "configmap", "Gen_CM", "--from-literal=a=1", "-n", "{ns}"]),
        k(.generators, "gen.secret-generic", ["create", "secret", "generic", "gen-secret", "--from-literal=user=admin", "-n", "{ns}"]),
        k(.generators, "gen.secret-generic-yaml", ["get", "secret", "gen-secret", "-n", "{ns}", "-o", "yaml"]),
        k(.generators, "gen.secret-tls", ["create", "secret", "tls", "gen-tls", "--cert={certfile}", "--key={keyfile}", "-n", "{ns}"]),
        k(.generators, "gen.secret-tls-type", ["get", "secret", "gen-tls", "-n", "{ns}", "-o", "jsonpath={.type} {.data.tls\\.crt}"]),
        k(.generators, "gen.secret-docker-registry", [
            "create", "secret", "docker-registry", "gen-docker", "--docker-server=registry.example",
            "--docker-username=u", "--docker-password=p", "-n", "{ns}",
        ]),
        k(.generators, "gen.secret-docker-registry-yaml", ["get", "secret", "gen-docker", "-n", "{ns}", "-o", "yaml"]),
        k(.generators, "gen.deployment", ["create", "deployment", "gen-web", "--image=nginx:1.27", "--replicas=2", "--port=80", "-n", "{ns}"]),
        k(.generators, "gen.deployment-yaml", ["get", "deployment", "gen-web", "-n", "{ns}", "-o", "yaml"]),
        k(.generators, "gen.service-clusterip", ["create", "service", "clusterip", "gen-svc", "--tcp=80:8080", "-n", "{ns}"]),
        k(.generators, "gen.service-clusterip-yaml", ["get", "service", "gen-svc", "-n", "{ns}", "-o", "yaml"]),
        k(.generators, "gen.service-nodeport", ["create", "service", "nodeport", "gen-np", "--tcp=80:8080", "-n", "{ns}"]),
        k(.generators, "gen.service-nodeport-yaml", ["get", "service", "gen-np", "-n", "{ns}", "-o", "yaml"]),
        k(.generators, "gen.serviceaccount", ["create", "serviceaccount", "gen-sa", "-n", "{ns}"]),
        k(.generators, "gen.serviceaccount-yaml", ["get", "serviceaccount", "gen-sa", "-n", "{ns}", "-o", "yaml"]),
        k(.generators, "gen.dry-run-server", ["create", "configmap", "gen-dry", "--from-literal=a=1", "--dry-run=server", "-n", "{ns}", "-o", "yaml"]),
        k(.generators, "gen.dry-run-left-nothing", ["get", "configmap", "gen-dry", "-n", "{ns}"]),
        k(.generators, "gen.expose", ["expose", "deployment", "gen-web", "--port=81", "--target-port=80", "--name=gen-exposed", "-n", "{ns}"]),
        k(.generators, "gen.expose-yaml", ["get", "service", "gen-exposed", "-n", "{ns}", "-o", "yaml"]),
        k(.generators, "gen.service-invalid-port", ["create", "service", "clusterip", "gen-bad", "--tcp=70000:80", "-n", "{ns}"]),
        k(.generators, "gen.namespace-dry-run", ["create", "namespace", "{ns}-dry", "--dry-run=server", "-o", "yaml"]),
    ]

    static let configAndSecrets: [DifferentialStep] = [
        k(.configAndSecrets, "cs.secret-string-data", ["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Secret
            metadata: {name: cs-string-data, namespace: {ns}}
            stringData: {password: s3cret}
            data: {user: YWRtaW4=}
            """),
        k(.configAndSecrets, "cs.secret-string-data-get", ["get", "secret", "cs-string-data", "-n", "{ns}", "-o", "yaml"]),
        k(.configAndSecrets, "cs.secret-tls-missing-key", ["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Secret
            metadata: {name: cs-tls-bad, namespace: {ns}}
            type: kubernetes.io/tls
            data: {tls.crt: Y2VydA==}
            """),
        k(.configAndSecrets, "cs.secret-bad-key", ["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Secret
            metadata: {name: cs-bad-key, namespace: {ns}}
            stringData: {"bad key": x}
            """),
        k(.configAndSecrets, "cs.immutable-create", ["create", "-f", "-"],
          stdin: configMap("cs-immutable", extra: "immutable: true")),
        k(.configAndSecrets, "cs.immutable-change-data", ["patch", "configmap", "cs-immutable", "-n", "{ns}", "--type=merge", "-p", #"{"data":{"a":"2"}}"#]),
        k(.configAndSecrets, "cs.immutable-unset", ["patch", "configmap", "cs-immutable", "-n", "{ns}", "--type=merge", "-p", #"{"immutable":false}"#]),
        k(.configAndSecrets, "cs.immutable-labels-allowed", ["label", "configmap", "cs-immutable", "-n", "{ns}", "tier=x"]),
        k(.configAndSecrets, "cs.binary-data", ["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cs-binary, namespace: {ns}}
            binaryData: {blob: AAEC}
            """),
        k(.configAndSecrets, "cs.binary-data-get", ["get", "configmap", "cs-binary", "-n", "{ns}", "-o", "jsonpath={.binaryData.blob}"]),
        k(.configAndSecrets, "cs.data-key-invalid", ["create", "-f", "-"], stdin: configMap("cs-bad-key", data: "\"bad key\": x")),
        k(.configAndSecrets, "cs.data-and-binary-same-key", ["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cs-dup, namespace: {ns}}
            data: {k: v}
            binaryData: {k: AAEC}
            """),
        k(.configAndSecrets, "cs.secret-type-immutable", ["patch", "secret", "gen-secret", "-n", "{ns}", "--type=merge", "-p", #"{"type":"kubernetes.io/basic-auth"}"#]),
    ]

    static let workloads: [DifferentialStep] = [
        k(.workloads, "wl.deployment-apply", ["apply", "-f", "-"], stdin: deployment("web")),
        k(.workloads, "wl.deployment-table", ["get", "deployment", "web", "-n", "{ns}"]),
        k(.workloads, "wl.deployment-wide", ["get", "deployment", "web", "-n", "{ns}", "-o", "wide"]),
        k(.workloads, "wl.scale", ["scale", "deployment", "web", "--replicas=3", "-n", "{ns}"]),
        k(.workloads, "wl.scale-get", ["get", "deployment", "web", "-n", "{ns}", "-o", "jsonpath={.spec.replicas}"]),
        k(.workloads, "wl.set-image", ["set", "image", "deployment/web", "web=nginx:1.28", "-n", "{ns}"]),
        k(.workloads, "wl.set-image-get", ["get", "deployment", "web", "-n", "{ns}", "-o", "jsonpath={.spec.template.spec.containers[*].image}"]),
        k(.workloads, "wl.label", ["label", "deployment", "web", "tier=front", "-n", "{ns}"]),
        k(.workloads, "wl.annotate", ["annotate", "deployment", "web", "note=hello", "-n", "{ns}"]),
        k(.workloads, "wl.set-env", ["set", "env", "deployment/web", "MODE=prod", "-n", "{ns}"]),
        k(.workloads, "wl.set-env-get", ["get", "deployment", "web", "-n", "{ns}", "-o", "jsonpath={.spec.template.spec.containers[0].env}"]),
        k(.workloads, "wl.rollout-pause", ["rollout", "pause", "deployment/web", "-n", "{ns}"]),
        k(.workloads, "wl.rollout-paused", ["get", "deployment", "web", "-n", "{ns}", "-o", "jsonpath={.spec.paused}"]),
        k(.workloads, "wl.rollout-resume", ["rollout", "resume", "deployment/web", "-n", "{ns}"]),
        k(.workloads, "wl.statefulset", ["create", "-f", "-"], stdin: """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: {ns}}
            spec:
              serviceName: db
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec:
                  containers: [{name: db, image: postgres:17}]
            """),
        k(.workloads, "wl.statefulset-yaml", ["get", "statefulset", "db", "-n", "{ns}", "-o", "yaml"]),
        k(.workloads, "wl.service-headless", ["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Service
            metadata: {name: db, namespace: {ns}}
            spec:
              clusterIP: None
              selector: {app: db}
              ports: [{name: pg, port: 5432}]
            """),
        k(.workloads, "wl.service-headless-get", ["get", "service", "db", "-n", "{ns}", "-o", "yaml"]),
        k(.workloads, "wl.services-table", ["get", "services", "-n", "{ns}"]),
    ]

    static let typing: [DifferentialStep] = [
        k(.typing, "ty.configmap-number", ["create", "-f", "-"], stdin: configMap("ty-number", data: "a: 1")),
        k(.typing, "ty.containers-object", ["create", "-f", "-"],
          stdin: deployment("ty-containers", containers: "        name: web\n        image: nginx")),
        k(.typing, "ty.replicas-string", ["create", "-f", "-"], stdin: deployment("ty-replicas", replicas: "\"3\"")),
        k(.typing, "ty.replicas-fraction", ["create", "-f", "-"], stdin: deployment("ty-fraction", replicas: "1.5")),
        k(.typing, "ty.unknown-strict", ["create", "--validate=strict", "-f", "-"],
          stdin: configMap("ty-strict", extra: "spec: {x: 1}\nextra: yes")),
        k(.typing, "ty.unknown-warn", ["create", "--validate=warn", "-f", "-"],
          stdin: configMap("ty-warn", extra: "spec: {x: 1}")),
        k(.typing, "ty.unknown-warn-dropped", ["get", "configmap", "ty-warn", "-n", "{ns}", "-o", "yaml"]),
        k(.typing, "ty.unknown-ignore", ["create", "--validate=false", "-f", "-"],
          stdin: configMap("ty-ignore", extra: "spec: {x: 1}")),
        k(.typing, "ty.nested-unknown-strict", ["create", "-f", "-"], stdin: deployment("ty-nested", containers: """
                    - name: web
                      image: nginx
                      imagePullPolicyy: Always
            """)),
        k(.typing, "ty.quantity-number", ["create", "-f", "-"], stdin: deployment("ty-quantity", containers: """
                    - name: web
                      image: nginx
                      resources: {limits: {cpu: 1, memory: 64Mi}, requests: {cpu: 250m}}
            """)),
        k(.typing, "ty.quantity-get", ["get", "deployment", "ty-quantity", "-n", "{ns}", "-o", "jsonpath={.spec.template.spec.containers[0].resources}"]),
        k(.typing, "ty.quantity-invalid", ["create", "-f", "-"], stdin: deployment("ty-quantity-bad", containers: """
                    - name: web
                      image: nginx
                      resources: {limits: {cpu: lots}}
            """)),
        k(.typing, "ty.secret-bad-base64", ["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Secret
            metadata: {name: ty-base64, namespace: {ns}}
            data: {a: "not base64!"}
            """),
        r(.typing, "ty.raw-unknown-default-warns", "POST", "/api/v1/namespaces/{ns}/configmaps",
          body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ty-raw"},"bogus":1,"data":{"a":"1"}}"#),
        r(.typing, "ty.raw-unknown-strict", "POST", "/api/v1/namespaces/{ns}/configmaps?fieldValidation=Strict",
          body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ty-raw-strict"},"bogus":1}"#),
        r(.typing, "ty.raw-duplicate-field-strict", "POST", "/api/v1/namespaces/{ns}/configmaps?fieldValidation=Strict",
          body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ty-raw-dup"},"data":{"a":"1"},"data":{"b":"2"}}"#),
        r(.typing, "ty.raw-null-field", "POST", "/api/v1/namespaces/{ns}/configmaps",
          body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ty-raw-null","labels":null},"data":null}"#),
    ]

    static let defaults: [DifferentialStep] = [
        k(.defaults, "df.deployment", ["get", "deployment", "web", "-n", "{ns}", "-o", "yaml"]),
        k(.defaults, "df.service-loadbalancer", ["create", "service", "loadbalancer", "df-lb", "--tcp=80:80", "-n", "{ns}"]),
        k(.defaults, "df.service-loadbalancer-yaml", ["get", "service", "df-lb", "-n", "{ns}", "-o", "yaml"]),
        k(.defaults, "df.service-named-target-port", ["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Service
            metadata: {name: df-named, namespace: {ns}}
            spec:
              selector: {app: web}
              ports: [{name: http, port: 80, targetPort: http}, {name: metrics, port: 9090, protocol: UDP}]
            """),
        k(.defaults, "df.service-named-target-port-yaml", ["get", "service", "df-named", "-n", "{ns}", "-o", "jsonpath={.spec.ports}"]),
        k(.defaults, "df.secret-type", ["get", "secret", "cs-string-data", "-n", "{ns}", "-o", "jsonpath={.type}"]),
        k(.defaults, "df.webhook", ["create", "-f", "-"], stdin: """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {name: df-{run}}
            webhooks:
              - name: check.r{run}.example.com
                admissionReviewVersions: [v1]
                sideEffects: None
                clientConfig: {url: "https://hooks.example.com/check"}
                rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
                namespaceSelector: {matchLabels: {never: match}}
            """),
        k(.defaults, "df.webhook-yaml", ["get", "validatingwebhookconfiguration", "df-{run}", "-o", "yaml"]),
        k(.defaults, "df.webhook-delete", ["delete", "validatingwebhookconfiguration", "df-{run}"]),
        k(.defaults, "df.lease", ["create", "-f", "-"], stdin: """
            apiVersion: coordination.k8s.io/v1
            kind: Lease
            metadata: {name: df-lease, namespace: {ns}}
            spec: {holderIdentity: me, leaseDurationSeconds: 15}
            """),
        k(.defaults, "df.lease-yaml", ["get", "lease", "df-lease", "-n", "{ns}", "-o", "yaml"]),
    ]

    static let validation: [DifferentialStep] = [
        k(.validation, "va.selector-mismatch", ["create", "-f", "-"], stdin: deployment("va-mismatch", labels: "app: other")),
        k(.validation, "va.selector-missing", ["create", "-f", "-"], stdin: """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: va-noselector, namespace: {ns}}
            spec:
              template:
                metadata: {labels: {app: x}}
                spec:
                  containers: [{name: web, image: nginx}]
            """),
        k(.validation, "va.selector-immutable", ["patch", "deployment", "web", "-n", "{ns}", "--type=merge", "-p",
                                                 #"{"spec":{"selector":{"matchLabels":{"app":"other"}},"template":{"metadata":{"labels":{"app":"other"}}}}}"#]),
        k(.validation, "va.replicas-negative", ["patch", "deployment", "web", "-n", "{ns}", "--type=merge", "-p", #"{"spec":{"replicas":-1}}"#]),
        k(.validation, "va.container-name", ["create", "-f", "-"], stdin: deployment("va-container", containers: """
                    - name: Bad_Name
                      image: nginx
            """)),
        k(.validation, "va.container-duplicate", ["create", "-f", "-"], stdin: deployment("va-duplicate", containers: """
                    - {name: web, image: nginx}
                    - {name: web, image: nginx}
            """)),
        k(.validation, "va.container-no-image", ["create", "-f", "-"], stdin: deployment("va-noimage", containers: """
                    - name: web
            """)),
        k(.validation, "va.container-port-range", ["create", "-f", "-"], stdin: deployment("va-port", containers: """
                    - name: web
                      image: nginx
                      ports: [{containerPort: 0}]
            """)),
        k(.validation, "va.no-containers", ["create", "-f", "-"], stdin: deployment("va-nocontainers", containers: "        []")),
        k(.validation, "va.service-port-range", ["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Service
            metadata: {name: va-port, namespace: {ns}}
            spec: {ports: [{port: 70000}]}
            """),
        k(.validation, "va.service-ports-unnamed", ["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Service
            metadata: {name: va-unnamed, namespace: {ns}}
            spec: {ports: [{port: 80}, {port: 81}]}
            """),
        k(.validation, "va.service-type", ["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Service
            metadata: {name: va-type, namespace: {ns}}
            spec: {type: Magic, ports: [{port: 80}]}
            """),
        k(.validation, "va.service-cluster-ip-immutable", ["patch", "service", "gen-svc", "-n", "{ns}", "--type=merge", "-p", #"{"spec":{"clusterIP":"10.96.10.10"}}"#]),
        k(.validation, "va.label-value", ["create", "-f", "-"], stdin: configMap("va-label", extra: "  labels: {app: \"bad value!\"}")),
        k(.validation, "va.label-key", ["label", "configmap", "gen-cm", "-n", "{ns}", "bad/key/x=y"]),
        k(.validation, "va.name-too-long", ["create", "configmap", String(repeating: "a", count: 254), "-n", "{ns}"]),
        k(.validation, "va.service-name-dots", ["create", "service", "clusterip", "va.dots", "--tcp=80:80", "-n", "{ns}"]),
        k(.validation, "va.lease-negative", ["create", "-f", "-"], stdin: """
            apiVersion: coordination.k8s.io/v1
            kind: Lease
            metadata: {name: va-lease, namespace: {ns}}
            spec: {leaseDurationSeconds: -1}
            """),
    ]

    static let getOutput: [DifferentialStep] = [
        k(.getOutput, "go.seed", ["apply", "-f", "-"], stdin: """
            {apiVersion: v1, kind: ConfigMap, metadata: {name: list-1, namespace: {ns}, labels: {set: list, tier: a}}, data: {v: "3"}}
            ---
            {apiVersion: v1, kind: ConfigMap, metadata: {name: list-2, namespace: {ns}, labels: {set: list, tier: b}}, data: {v: "1"}}
            ---
            {apiVersion: v1, kind: ConfigMap, metadata: {name: list-3, namespace: {ns}, labels: {set: list}}, data: {v: "2"}}
            """),
        k(.getOutput, "go.apply-list-kind", ["apply", "-f", "-"], stdin: """
            apiVersion: v1
            kind: List
            items:
              - {apiVersion: v1, kind: ConfigMap, metadata: {name: in-list, namespace: {ns}}, data: {v: "0"}}
            """),
        k(.getOutput, "go.table", ["get", "configmaps", "-n", "{ns}", "-l", "set=list"]),
        k(.getOutput, "go.wide", ["get", "configmaps", "-n", "{ns}", "-l", "set=list", "-o", "wide"]),
        k(.getOutput, "go.name", ["get", "configmaps", "-n", "{ns}", "-l", "set=list", "-o", "name"]),
        k(.getOutput, "go.json", ["get", "configmaps", "-n", "{ns}", "-l", "set=list", "-o", "json"]),
        k(.getOutput, "go.yaml", ["get", "configmaps", "-n", "{ns}", "-l", "set=list", "-o", "yaml"]),
        k(.getOutput, "go.json-one", ["get", "configmap", "list-1", "-n", "{ns}", "-o", "json"]),
        k(.getOutput, "go.jsonpath", ["get", "configmaps", "-n", "{ns}", "-l", "set=list", "-o", #"jsonpath={range .items[*]}{.metadata.name}={.data.v}{"\n"}{end}"#]),
        k(.getOutput, "go.custom-columns", ["get", "configmaps", "-n", "{ns}", "-l", "set=list", "-o", "custom-columns=NAME:.metadata.name,V:.data.v,TIER:.metadata.labels.tier"]),
        k(.getOutput, "go.go-template", ["get", "configmaps", "-n", "{ns}", "-l", "set=list", "-o", "go-template={{range .items}}{{.metadata.name}} {{end}}"]),
        k(.getOutput, "go.show-labels", ["get", "configmaps", "-n", "{ns}", "-l", "set=list", "--show-labels"]),
        k(.getOutput, "go.label-columns", ["get", "configmaps", "-n", "{ns}", "-l", "set=list", "-L", "tier"]),
        k(.getOutput, "go.sort-by", ["get", "configmaps", "-n", "{ns}", "-l", "set=list", "--sort-by=.data.v", "-o", "name"]),
        k(.getOutput, "go.no-headers", ["get", "configmaps", "-n", "{ns}", "-l", "set=list", "--no-headers"]),
        k(.getOutput, "go.server-print-off", ["get", "configmaps", "-n", "{ns}", "-l", "set=list", "--server-print=false"]),
        k(.getOutput, "go.two-kinds", ["get", "configmaps,secrets", "-n", "{ns}", "-l", "set=list"]),
        k(.getOutput, "go.none-found", ["get", "configmaps", "-n", "{ns}", "-l", "set=none"]),
        k(.getOutput, "go.secrets-table", ["get", "secrets", "-n", "{ns}", "gen-secret", "gen-tls", "gen-docker"]),
        k(.getOutput, "go.service-table", ["get", "service", "gen-svc", "gen-np", "-n", "{ns}"]),
        k(.getOutput, "go.statefulset-table", ["get", "statefulset", "db", "-n", "{ns}"]),
        r(.getOutput, "go.raw-table", "GET", "/api/v1/namespaces/{ns}/configmaps?labelSelector=set%3Dlist",
          accept: "application/json;as=Table;v=v1;g=meta.k8s.io"),
        r(.getOutput, "go.raw-table-object", "GET", "/apis/apps/v1/namespaces/{ns}/deployments/web",
          accept: "application/json;as=Table;v=v1;g=meta.k8s.io"),
        r(.getOutput, "go.raw-partial-metadata", "GET", "/api/v1/namespaces/{ns}/configmaps?labelSelector=set%3Dlist",
          accept: "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"),
    ]

    static let selectorsAndPaging: [DifferentialStep] = [
        k(.selectorsAndPaging, "sp.label-in", ["get", "configmaps", "-n", "{ns}", "-l", "tier in (a,b)", "-o", "name"]),
        k(.selectorsAndPaging, "sp.label-notin", ["get", "configmaps", "-n", "{ns}", "-l", "set=list,tier notin (a)", "-o", "name"]),
        k(.selectorsAndPaging, "sp.label-exists", ["get", "configmaps", "-n", "{ns}", "-l", "tier", "-o", "name"]),
        k(.selectorsAndPaging, "sp.label-not-exists", ["get", "configmaps", "-n", "{ns}", "-l", "set=list,!tier", "-o", "name"]),
        k(.selectorsAndPaging, "sp.label-invalid", ["get", "configmaps", "-n", "{ns}", "-l", "a b"]),
        k(.selectorsAndPaging, "sp.field-name", ["get", "configmaps", "-n", "{ns}", "--field-selector", "metadata.name=list-1", "-o", "name"]),
        k(.selectorsAndPaging, "sp.field-not-name", ["get", "configmaps", "-n", "{ns}", "-l", "set=list", "--field-selector", "metadata.name!=list-1", "-o", "name"]),
        k(.selectorsAndPaging, "sp.field-secret-type", ["get", "secrets", "-n", "{ns}", "--field-selector", "type=kubernetes.io/tls", "-o", "name"]),
        k(.selectorsAndPaging, "sp.field-unsupported", ["get", "configmaps", "-n", "{ns}", "--field-selector", "data.v=1"]),
        k(.selectorsAndPaging, "sp.field-namespace-phase", ["get", "namespaces", "--field-selector", "status.phase=Active,metadata.name={ns}", "-o", "name"]),
        k(.selectorsAndPaging, "sp.field-events", ["get", "events", "-n", "{ns}", "--field-selector", "reason=NoSuchReason"]),
        k(.selectorsAndPaging, "sp.chunked", ["get", "configmaps", "-n", "{ns}", "-l", "set=list", "--chunk-size=1", "-o", "name"]),
        r(.selectorsAndPaging, "sp.raw-limit", "GET", "/api/v1/namespaces/{ns}/configmaps?labelSelector=set%3Dlist&limit=2"),
        r(.selectorsAndPaging, "sp.raw-bad-continue", "GET", "/api/v1/namespaces/{ns}/configmaps?limit=2&continue=bm90LWEtdG9rZW4"),
        r(.selectorsAndPaging, "sp.raw-all-namespaces", "GET", "/api/v1/configmaps?labelSelector=set%3Dlist%2Ctier%3Da"),
    ]

    static let watch: [DifferentialStep] = [
        r(.watch, "wa.raw-watch", "GET", "/api/v1/namespaces/{ns}/configmaps?watch=1&labelSelector=set%3Dlist&timeoutSeconds=2"),
        r(.watch, "wa.raw-watch-one", "GET", "/api/v1/namespaces/{ns}/configmaps?watch=1&fieldSelector=metadata.name%3Dlist-1&timeoutSeconds=1"),
        r(.watch, "wa.raw-watch-too-old", "GET", "/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion=1&timeoutSeconds=1"),
        k(.watch, "wa.kubectl-watch", ["get", "configmaps", "-n", "{ns}", "-l", "set=list", "--watch", "-o", "name", "--request-timeout=2s"]),
        k(.watch, "wa.kubectl-watch-events", ["get", "configmaps", "-n", "{ns}", "-l", "set=list", "--watch", "--output-watch-events", "-o", "name", "--request-timeout=2s"]),
    ]

    static let clientSideApply: [DifferentialStep] = [
        k(.clientSideApply, "ca.create", ["apply", "-f", "-"], stdin: configMap("csa", data: "a: \"1\"\n  b: \"2\"")),
        k(.clientSideApply, "ca.update", ["apply", "-f", "-"], stdin: configMap("csa", data: "a: \"1\"\n  b: \"3\"\n  c: \"4\"")),
        k(.clientSideApply, "ca.unchanged", ["apply", "-f", "-"], stdin: configMap("csa", data: "a: \"1\"\n  b: \"3\"\n  c: \"4\"")),
        k(.clientSideApply, "ca.remove-key", ["apply", "-f", "-"], stdin: configMap("csa", data: "a: \"1\"")),
        k(.clientSideApply, "ca.get", ["get", "configmap", "csa", "-n", "{ns}", "-o", "yaml"]),
        k(.clientSideApply, "ca.view-last-applied", ["apply", "view-last-applied", "configmap/csa", "-n", "{ns}"]),
        k(.clientSideApply, "ca.deployment-change", ["apply", "-f", "-"], stdin: deployment("web", containers: """
                    - name: web
                      image: nginx:1.29
                      ports:
                        - containerPort: 80
                    - name: sidecar
                      image: busybox
            """)),
        k(.clientSideApply, "ca.deployment-containers", ["get", "deployment", "web", "-n", "{ns}", "-o", "jsonpath={.spec.template.spec.containers[*].name} {.spec.replicas}"]),
        k(.clientSideApply, "ca.second", ["apply", "-f", "-"], stdin: configMap("csa2", data: "a: \"1\"")),
        k(.clientSideApply, "ca.edit-last-applied-annotation", ["apply", "set-last-applied", "-f", "-", "-n", "{ns}"], stdin: configMap("csa2", data: "a: \"1\"\n  z: \"9\"")),
    ]

    static let serverSideApply: [DifferentialStep] = [
        k(.serverSideApply, "sa.create", ["apply", "--server-side", "-f", "-"], stdin: configMap("ssa", data: "a: \"1\"\n  b: \"2\"")),
        k(.serverSideApply, "sa.update", ["apply", "--server-side", "-f", "-"], stdin: configMap("ssa", data: "a: \"1\"\n  c: \"3\"")),
        k(.serverSideApply, "sa.managed-fields", ["get", "configmap", "ssa", "-n", "{ns}", "-o", "yaml", "--show-managed-fields"]),
        k(.serverSideApply, "sa.conflict", ["apply", "--server-side", "--field-manager=other", "-f", "-"], stdin: configMap("ssa", data: "a: \"9\"")),
        k(.serverSideApply, "sa.force", ["apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-"], stdin: configMap("ssa", data: "a: \"9\"")),
        k(.serverSideApply, "sa.force-managers", ["get", "configmap", "ssa", "-n", "{ns}", "--show-managed-fields", "-o", "jsonpath={range .metadata.managedFields[*]}{.manager}:{.operation} {end}"]),
        k(.serverSideApply, "sa.after-client-side", ["apply", "--server-side", "-f", "-"], stdin: configMap("csa", data: "a: \"2\"")),
        k(.serverSideApply, "sa.after-client-side-managers", ["get", "configmap", "csa", "-n", "{ns}", "--show-managed-fields", "-o", "jsonpath={range .metadata.managedFields[*]}{.manager}:{.operation} {end}"]),
        k(.serverSideApply, "sa.deployment", ["apply", "--server-side", "-f", "-"], stdin: deployment("ssa-web")),
        k(.serverSideApply, "sa.deployment-add-container", ["apply", "--server-side", "--field-manager=sidecars", "-f", "-"], stdin: """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: ssa-web, namespace: {ns}}
            spec:
              selector: {matchLabels: {app: ssa-web}}
              template:
                metadata: {labels: {app: ssa-web}}
                spec:
                  containers: [{name: proxy, image: envoy}]
            """),
        k(.serverSideApply, "sa.deployment-containers", ["get", "deployment", "ssa-web", "-n", "{ns}", "-o", "jsonpath={.spec.template.spec.containers[*].name}"]),
        r(.serverSideApply, "sa.raw-apply-json", "PATCH", "/api/v1/namespaces/{ns}/configmaps/ssa-raw?fieldManager=raw",
          body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ssa-raw"},"data":{"k":"v"}}"#,
          contentType: "application/apply-patch+yaml"),
        r(.serverSideApply, "sa.raw-apply-no-manager", "PATCH", "/api/v1/namespaces/{ns}/configmaps/ssa-raw",
          body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ssa-raw"},"data":{"k":"w"}}"#,
          contentType: "application/apply-patch+yaml"),
    ]

    static let diff: [DifferentialStep] = [
        k(.diff, "di.changed", ["diff", "-f", "-"], stdin: configMap("csa2", data: "a: \"5\"")),
        k(.diff, "di.unchanged", ["diff", "-f", "-"], stdin: configMap("ssa", data: "a: \"9\"\n  c: \"3\"")),
        k(.diff, "di.new-object", ["diff", "-f", "-"], stdin: configMap("di-new")),
        k(.diff, "di.server-side-after-client-side", ["diff", "--server-side", "-f", "-"], stdin: configMap("csa2", data: "a: \"6\"")),
        k(.diff, "di.server-side", ["diff", "--server-side", "-f", "-"], stdin: configMap("ssa", data: "a: \"9\"\n  c: \"4\"")),
        k(.diff, "di.invalid", ["diff", "-f", "-"], stdin: deployment("web", labels: "app: nope")),
    ]

    static let patches: [DifferentialStep] = [
        k(.patch, "pa.merge", ["patch", "configmap", "gen-cm", "-n", "{ns}", "--type=merge", "-p", #"{"data":{"c":"3"}}"#]),
        k(.patch, "pa.merge-no-change", ["patch", "configmap", "gen-cm", "-n", "{ns}", "--type=merge", "-p", #"{"data":{"c":"3"}}"#]),
        k(.patch, "pa.merge-delete-key", ["patch", "configmap", "gen-cm", "-n", "{ns}", "--type=merge", "-p", #"{"data":{"b":null}}"#]),
        k(.patch, "pa.json-add", ["patch", "configmap", "gen-cm", "-n", "{ns}", "--type=json", "-p", #"[{"op":"add","path":"/data/d","value":"4"}]"#]),
        k(.patch, "pa.json-test-fails", ["patch", "configmap", "gen-cm", "-n", "{ns}", "--type=json", "-p", #"[{"op":"test","path":"/data/d","value":"nope"}]"#]),
        k(.patch, "pa.json-remove-missing", ["patch", "configmap", "gen-cm", "-n", "{ns}", "--type=json", "-p", #"[{"op":"remove","path":"/data/nope"}]"#]),
        k(.patch, "pa.json-invalid", ["patch", "configmap", "gen-cm", "-n", "{ns}", "--type=json", "-p", #"[{"op":"jump","path":"/data"}]"#]),
        k(.patch, "pa.after", ["get", "configmap", "gen-cm", "-n", "{ns}", "-o", "jsonpath={.data}"]),
        k(.patch, "pa.strategic-image", ["patch", "deployment", "web", "-n", "{ns}", "-p", #"{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}}}"#]),
        k(.patch, "pa.strategic-delete-directive", ["patch", "deployment", "web", "-n", "{ns}", "-p", #"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}"#]),
        k(.patch, "pa.strategic-after", ["get", "deployment", "web", "-n", "{ns}", "-o", "jsonpath={.spec.template.spec.containers[*].name}={.spec.template.spec.containers[*].image}"]),
        k(.patch, "pa.strategic-ports-merge", ["patch", "deployment", "web", "-n", "{ns}", "-p", #"{"spec":{"template":{"spec":{"containers":[{"name":"web","ports":[{"containerPort":443}]}]}}}}"#]),
        k(.patch, "pa.strategic-ports-after", ["get", "deployment", "web", "-n", "{ns}", "-o", "jsonpath={.spec.template.spec.containers[0].ports}"]),
        k(.patch, "pa.stale-resource-version", ["patch", "configmap", "gen-cm", "-n", "{ns}", "--type=merge", "-p", #"{"metadata":{"resourceVersion":"1"},"data":{"x":"y"}}"#]),
        k(.patch, "pa.type-error", ["patch", "configmap", "gen-cm", "-n", "{ns}", "--type=merge", "-p", #"{"data":{"n":1}}"#]),
        k(.patch, "pa.missing-object", ["patch", "configmap", "nope", "-n", "{ns}", "--type=merge", "-p", #"{"data":{"n":"1"}}"#]),
        k(.patch, "pa.replace", ["replace", "-f", "-"], stdin: configMap("list-3", data: "v: \"20\"", extra: "  labels: {set: list}")),
    ]

    static let subresources: [DifferentialStep] = [
        k(.subresources, "sr.status-patch", ["patch", "deployment", "web", "-n", "{ns}", "--subresource=status", "--type=merge", "-p",
                                             #"{"status":{"replicas":3,"readyReplicas":2,"availableReplicas":2,"updatedReplicas":3}}"#]),
        k(.subresources, "sr.status-table", ["get", "deployment", "web", "-n", "{ns}"]),
        k(.subresources, "sr.status-ignores-spec", ["patch", "deployment", "web", "-n", "{ns}", "--subresource=status", "--type=merge", "-p", #"{"spec":{"replicas":9}}"#]),
        k(.subresources, "sr.main-ignores-status", ["patch", "deployment", "web", "-n", "{ns}", "--type=merge", "-p", #"{"status":{"replicas":7}}"#]),
        k(.subresources, "sr.after", ["get", "deployment", "web", "-n", "{ns}", "-o", "jsonpath={.spec.replicas} {.status.replicas}"]),
        k(.subresources, "sr.scale-get", ["get", "deployment", "web", "-n", "{ns}", "--subresource=scale", "-o", "yaml"]),
        r(.subresources, "sr.scale-raw", "GET", "/apis/apps/v1/namespaces/{ns}/deployments/web/scale"),
        k(.subresources, "sr.scale-patch", ["patch", "deployment", "web", "-n", "{ns}", "--subresource=scale", "--type=merge", "-p", #"{"spec":{"replicas":2}}"#]),
        k(.subresources, "sr.scale-negative", ["scale", "deployment", "web", "--replicas=-1", "-n", "{ns}"]),
        k(.subresources, "sr.scale-statefulset", ["scale", "statefulset", "db", "--replicas=2", "-n", "{ns}"]),
        k(.subresources, "sr.namespace-status", ["get", "namespace", "{ns}", "--subresource=status", "-o", "jsonpath={.status}"]),
        r(.subresources, "sr.unknown-subresource", "GET", "/api/v1/namespaces/{ns}/configmaps/gen-cm/status"),
        r(.subresources, "sr.scale-of-configmap", "GET", "/api/v1/namespaces/{ns}/configmaps/gen-cm/scale"),
    ]

    static let wait: [DifferentialStep] = [
        k(.wait, "wt.jsonpath", ["wait", "--for=jsonpath={.data.a}=1", "configmap/gen-cm", "-n", "{ns}", "--timeout=10s"]),
        k(.wait, "wt.create", ["wait", "--for=create", "configmap/gen-cm", "-n", "{ns}", "--timeout=10s"]),
        k(.wait, "wt.delete-missing", ["wait", "--for=delete", "configmap/never-there", "-n", "{ns}", "--timeout=5s"]),
        k(.wait, "wt.condition-times-out", ["wait", "--for=condition=Available", "deployment/web", "-n", "{ns}", "--timeout=2s"]),
        k(.wait, "wt.jsonpath-times-out", ["wait", "--for=jsonpath={.data.a}=2", "configmap/gen-cm", "-n", "{ns}", "--timeout=2s"]),
        k(.wait, "wt.selector", ["wait", "--for=jsonpath={.metadata.labels.set}=list", "configmap", "-l", "set=list", "-n", "{ns}", "--timeout=10s"]),
    ]

    static let customResources: [DifferentialStep] = [
        k(.customResources, "cr.crd-create", ["create", "-f", "-"], stdin: widgetCRD),
        k(.customResources, "cr.crd-established", ["wait", "--for=condition=Established", "crd/widgets.r{run}.example.com", "--timeout=30s"]),
        k(.customResources, "cr.create", ["apply", "-f", "-"], stdin: widget("w1", spec: "size: 2\n  replicas: 1")),
        k(.customResources, "cr.apply-again", ["apply", "-f", "-"], stdin: widget("w1", spec: "size: 3\n  colour: red\n  replicas: 1")),
        k(.customResources, "cr.table", ["get", "widgets", "-n", "{ns}"]),
        k(.customResources, "cr.short-name", ["get", "wdg", "w1", "-n", "{ns}", "-o", "name"]),
        k(.customResources, "cr.yaml", ["get", "widget", "w1", "-n", "{ns}", "-o", "yaml"]),
        k(.customResources, "cr.invalid", ["create", "-f", "-"], stdin: widget("w-bad", spec: "size: 0\n  colour: green")),
        k(.customResources, "cr.missing-required", ["create", "-f", "-"], stdin: widget("w-missing", spec: "colour: red")),
        k(.customResources, "cr.unknown-strict", ["create", "-f", "-"], stdin: widget("w-unknown", spec: "size: 1\n  shape: round")),
        k(.customResources, "cr.unknown-warn", ["create", "--validate=warn", "-f", "-"], stdin: widget("w-warn", spec: "size: 1\n  shape: round")),
        k(.customResources, "cr.wrong-type", ["create", "-f", "-"], stdin: widget("w-type", spec: "size: big")),
        k(.customResources, "cr.status", ["patch", "widget", "w1", "-n", "{ns}", "--subresource=status", "--type=merge", "-p", #"{"status":{"replicas":1,"selector":"app=w1"}}"#]),
        k(.customResources, "cr.scale", ["scale", "widget", "w1", "--replicas=3", "-n", "{ns}"]),
        r(.customResources, "cr.scale-raw", "GET", "/apis/r{run}.example.com/v1/namespaces/{ns}/widgets/w1/scale"),
        k(.customResources, "cr.strategic-patch", ["patch", "widget", "w1", "-n", "{ns}", "-p", #"{"spec":{"size":4}}"#]),
        k(.customResources, "cr.merge-patch", ["patch", "widget", "w1", "-n", "{ns}", "--type=merge", "-p", #"{"spec":{"size":4}}"#]),
        k(.customResources, "cr.server-side-apply", ["apply", "--server-side", "-f", "-"], stdin: widget("w2", spec: "size: 5")),
        k(.customResources, "cr.unknown-metadata-warn", ["create", "--validate=warn", "-f", "-"], stdin: """
            apiVersion: r{run}.example.com/v1
            kind: Widget
            metadata: {name: w-meta, namespace: {ns}, bogus: 1}
            spec: {size: 1, shape: round, colour: red, weight: 2}
            """),
        k(.customResources, "cr.unknown-metadata-stored", ["get", "widget", "w-meta", "-n", "{ns}", "-o", "yaml"]),
        k(.customResources, "cr.server-side-apply-undeclared", ["apply", "--server-side", "-f", "-"], stdin: widget("w2", spec: "size: 5\n  shape: round")),
        r(.customResources, "cr.apply-undeclared-raw", "PATCH", "/apis/r{run}.example.com/v1/namespaces/{ns}/widgets/w3?fieldManager=diff",
          body: "{\"apiVersion\":\"r{run}.example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w3\",\"bogus\":1},\"spec\":{\"size\":1}}",
          contentType: "application/apply-patch+yaml"),
        k(.customResources, "cr.after", ["get", "widgets", "-n", "{ns}", "-o", "jsonpath={range .items[*]}{.metadata.name}:{.spec.size}:{.spec.replicas} {end}"]),
    ]

    static let dryRun: [DifferentialStep] = [
        k(.dryRun, "dr.apply", ["apply", "--dry-run=server", "-f", "-"], stdin: configMap("dr-apply")),
        k(.dryRun, "dr.apply-server-side", ["apply", "--server-side", "--dry-run=server", "-f", "-"], stdin: configMap("dr-ssa")),
        k(.dryRun, "dr.patch", ["patch", "configmap", "gen-cm", "-n", "{ns}", "--dry-run=server", "--type=merge", "-p", #"{"data":{"dry":"run"}}"#]),
        k(.dryRun, "dr.delete", ["delete", "configmap", "gen-cm", "-n", "{ns}", "--dry-run=server"]),
        k(.dryRun, "dr.nothing-written", ["get", "configmaps", "gen-cm", "dr-apply", "dr-ssa", "-n", "{ns}", "-o", "name"]),
        k(.dryRun, "dr.still-unchanged", ["get", "configmap", "gen-cm", "-n", "{ns}", "-o", "jsonpath={.data.dry}"]),
        k(.dryRun, "dr.invalid", ["create", "--dry-run=server", "-f", "-"], stdin: deployment("dr-bad", labels: "app: other")),
        k(.dryRun, "dr.widget", ["create", "--dry-run=server", "-o", "yaml", "-f", "-"], stdin: widget("w-dry", spec: "size: 1")),
    ]

    static let explain: [DifferentialStep] = [
        k(.explain, "ex.configmap", ["explain", "configmap"]),
        k(.explain, "ex.configmap-data", ["explain", "configmap.data"]),
        k(.explain, "ex.deployment-strategy", ["explain", "deployment.spec.strategy"]),
        k(.explain, "ex.container-ports-recursive", ["explain", "deployment.spec.template.spec.containers.ports", "--recursive"]),
        k(.explain, "ex.service-spec-type", ["explain", "service.spec.type"]),
        k(.explain, "ex.widget", ["explain", "widgets.spec"]),
        k(.explain, "ex.unknown-field", ["explain", "configmap.nope"]),
    ]

    static let discovery: [DifferentialStep] = [
        k(.discovery, "dc.api-resources-coordination", ["api-resources", "--api-group=coordination.k8s.io"]),
        k(.discovery, "dc.api-resources-apiextensions", ["api-resources", "--api-group=apiextensions.k8s.io", "-o", "wide"]),
        k(.discovery, "dc.api-resources-widgets", ["api-resources", "--api-group=r{run}.example.com", "-o", "wide"]),
        k(.discovery, "dc.api-resources-apps", ["api-resources", "--api-group=apps"]),
        k(.discovery, "dc.version", ["version", "-o", "json"]),
        r(.discovery, "dc.raw-apps-v1", "GET", "/apis/apps/v1"),
    ]

    static let auth: [DifferentialStep] = [
        k(.auth, "au.whoami", ["auth", "whoami", "-o", "json"]),
        k(.auth, "au.can-i", ["auth", "can-i", "create", "deployments", "-n", "{ns}"]),
        k(.auth, "au.can-i-subresource", ["auth", "can-i", "update", "deployments", "--subresource=scale", "-n", "{ns}"]),
        k(.auth, "au.can-i-list", ["auth", "can-i", "--list", "-n", "{ns}"]),
        k(.auth, "au.create-token", ["create", "token", "gen-sa", "-n", "{ns}"], capture: "token"),
        k(.auth, "au.create-token-duration", ["create", "token", "gen-sa", "-n", "{ns}", "--duration=10m"]),
        k(.auth, "au.create-token-missing-sa", ["create", "token", "nope", "-n", "{ns}"]),
        // The kit may run with AlwaysAllow; RBAC lets the token read the namespace either way.
        k(.auth, "au.token-view", ["create", "rolebinding", "au-token-view", "--clusterrole=view", "--serviceaccount={ns}:gen-sa", "-n", "{ns}"]),
        k(.auth, "au.use-token", ["--token={token}", "get", "configmap", "list-1", "-n", "{ns}", "-o", "name"]),
        k(.auth, "au.whoami-token", ["--token={token}", "auth", "whoami", "-o", "json"]),
        k(.auth, "au.bad-token", ["--token=not-a-token", "get", "configmaps", "-n", "{ns}"]),
    ]

    static let badInput: [DifferentialStep] = [
        k(.badInput, "bi.not-found", ["get", "configmap", "nope", "-n", "{ns}"]),
        k(.badInput, "bi.unknown-type", ["get", "foos"]),
        k(.badInput, "bi.invalid-yaml", ["create", "-f", "-"], stdin: "kind: [\n"),
        k(.badInput, "bi.missing-kind", ["create", "-f", "-"], stdin: "apiVersion: v1\nmetadata: {name: x}\n"),
        r(.badInput, "bi.raw-malformed-json", "POST", "/api/v1/namespaces/{ns}/configmaps", body: #"{"kind":"#),
        r(.badInput, "bi.raw-kind-mismatch", "POST", "/api/v1/namespaces/{ns}/configmaps",
          body: #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"bi-mismatch"}}"#),
        r(.badInput, "bi.raw-namespace-mismatch", "POST", "/api/v1/namespaces/{ns}/configmaps",
          body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bi-ns","namespace":"elsewhere"}}"#),
        r(.badInput, "bi.raw-name-mismatch", "PUT", "/api/v1/namespaces/{ns}/configmaps/list-1",
          body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"list-2"}}"#),
        r(.badInput, "bi.raw-stale-update", "PUT", "/api/v1/namespaces/{ns}/configmaps/list-1",
          body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"list-1","resourceVersion":"1"}}"#),
        r(.badInput, "bi.raw-update-missing", "PUT", "/api/v1/namespaces/{ns}/configmaps/bi-none",
          body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bi-none"}}"#),
        r(.badInput, "bi.raw-empty-body", "POST", "/api/v1/namespaces/{ns}/configmaps", body: ""),
        r(.badInput, "bi.raw-yaml-body", "POST", "/api/v1/namespaces/{ns}/configmaps",
          body: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bi-yaml}\ndata: {a: \"1\"}\n", contentType: "application/yaml"),
        r(.badInput, "bi.raw-unsupported-media-type", "POST", "/api/v1/namespaces/{ns}/configmaps",
          body: "hello", contentType: "text/plain"),
        r(.badInput, "bi.raw-patch-wrong-type", "PATCH", "/api/v1/namespaces/{ns}/configmaps/list-1",
          body: #"{"data":{"a":"1"}}"#, contentType: "application/json"),
        r(.badInput, "bi.raw-unknown-group", "GET", "/apis/nope.example.com/v1/things"),
        r(.badInput, "bi.raw-collection-put", "PUT", "/api/v1/namespaces/{ns}/configmaps", body: "{}"),
        r(.badInput, "bi.raw-bad-label-selector", "GET", "/api/v1/namespaces/{ns}/configmaps?labelSelector=a%20b"),
        r(.badInput, "bi.raw-bad-limit", "GET", "/api/v1/namespaces/{ns}/configmaps?limit=abc"),
        r(.badInput, "bi.raw-bad-propagation", "DELETE", "/api/v1/namespaces/{ns}/configmaps/list-2",
          body: #"{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Sideways"}"#),
    ]

    static let deletion: [DifferentialStep] = [
        k(.deletion, "de.owner", ["create", "configmap", "owner", "--from-literal=a=1", "-n", "{ns}"]),
        k(.deletion, "de.owner-uid", ["get", "configmap", "owner", "-n", "{ns}", "-o", "jsonpath={.metadata.uid}"], capture: "ownerUID"),
        k(.deletion, "de.dependent", ["create", "-f", "-"], stdin: configMap("dependent", extra: """
              ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: owner, uid: "{ownerUID}"}]
            """)),
        k(.deletion, "de.background", ["delete", "configmap", "owner", "-n", "{ns}"]),
        k(.deletion, "de.background-dependent-gone", ["wait", "--for=delete", "configmap/dependent", "-n", "{ns}", "--timeout=60s"]),
        k(.deletion, "de.orphan-owner", ["create", "configmap", "owner2", "--from-literal=a=1", "-n", "{ns}"]),
        k(.deletion, "de.orphan-owner-uid", ["get", "configmap", "owner2", "-n", "{ns}", "-o", "jsonpath={.metadata.uid}"], capture: "owner2UID"),
        k(.deletion, "de.orphan-dependent", ["create", "-f", "-"], stdin: configMap("dependent2", extra: """
              ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: owner2, uid: "{owner2UID}"}]
            """)),
        k(.deletion, "de.orphan", ["delete", "configmap", "owner2", "--cascade=orphan", "-n", "{ns}"]),
        k(.deletion, "de.orphan-dependent-kept", ["wait", "--for=jsonpath={.metadata.ownerReferences}=", "configmap/dependent2", "-n", "{ns}", "--timeout=60s"]),
        k(.deletion, "de.foreground-owner", ["create", "configmap", "owner3", "--from-literal=a=1", "-n", "{ns}"]),
        k(.deletion, "de.foreground-owner-uid", ["get", "configmap", "owner3", "-n", "{ns}", "-o", "jsonpath={.metadata.uid}"], capture: "owner3UID"),
        k(.deletion, "de.foreground-dependent", ["create", "-f", "-"], stdin: configMap("dependent3", extra: """
              ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: owner3, uid: "{owner3UID}", blockOwnerDeletion: true}]
            """)),
        k(.deletion, "de.foreground", ["delete", "configmap", "owner3", "--cascade=foreground", "-n", "{ns}", "--timeout=60s"]),
        k(.deletion, "de.foreground-all-gone", ["get", "configmaps", "owner3", "dependent3", "-n", "{ns}", "--ignore-not-found"]),
        k(.deletion, "de.finalizer-create", ["create", "-f", "-"], stdin: configMap("held", extra: "  finalizers: [example.com/hold]")),
        k(.deletion, "de.finalizer-delete", ["delete", "configmap", "held", "-n", "{ns}", "--wait=false"]),
        k(.deletion, "de.finalizer-terminating", ["get", "configmap", "held", "-n", "{ns}", "-o", "jsonpath={.metadata.deletionTimestamp} {.metadata.finalizers}"]),
        k(.deletion, "de.finalizer-release", ["patch", "configmap", "held", "-n", "{ns}", "--type=json", "-p", #"[{"op":"remove","path":"/metadata/finalizers"}]"#]),
        k(.deletion, "de.finalizer-gone", ["wait", "--for=delete", "configmap/held", "-n", "{ns}", "--timeout=30s"]),
        k(.deletion, "de.not-found", ["delete", "configmap", "nope", "-n", "{ns}"]),
        k(.deletion, "de.ignore-not-found", ["delete", "configmap", "nope", "-n", "{ns}", "--ignore-not-found"]),
        r(.deletion, "de.raw-precondition", "DELETE", "/api/v1/namespaces/{ns}/configmaps/list-1",
          body: #"{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"00000000-0000-0000-0000-000000000000"}}"#),
        k(.deletion, "de.collection", ["delete", "configmaps", "-l", "set=list", "-n", "{ns}"]),
        k(.deletion, "de.crd", ["delete", "crd", "widgets.r{run}.example.com"]),
        k(.deletion, "de.crd-objects-gone", ["get", "--raw", "/apis/r{run}.example.com/v1/namespaces/{ns}/widgets"]),
        k(.deletion, "de.namespace-second", ["delete", "namespace", "{ns}-second", "--wait=false"]),
        k(.deletion, "de.namespace", ["delete", "namespace", "{ns}", "--timeout=120s"]),
        k(.deletion, "de.namespace-gone", ["get", "namespace", "{ns}", "--ignore-not-found", "-o", "name"]),
    ]
}
