import OAM
import OrderedCollections
import Resources
import Testing

@Suite("ContainerizedWorkload translation")
struct ContainerizedWorkloadTranslationTests {
    static let label = "containerizedworkload.oam.crossplane.io"

    /// The workload of the worked example (spec §11), as the AppConfig controller stores it.
    static func exampleWorkload() throws -> Resource {
        try Resource([
            "apiVersion": "core.oam.dev/v1alpha2",
            "kind": "ContainerizedWorkload",
            "metadata": [
                "name": "example-appconfig-workload",
                "namespace": "default",
                "uid": "cw-uid-1",
                "labels": [
                    "app.oam.dev/name": "example-appconfig",
                    "app.oam.dev/component": "example-component",
                    "app.oam.dev/revision": "example-component-v1",
                    "app.oam.dev/resourceType": "WORKLOAD",
                ],
                "annotations": ["app.oam.dev/generation": "1"],
                "ownerReferences": [
                    [
                        "apiVersion": "core.oam.dev/v1alpha2", "kind": "ApplicationConfiguration",
                        "name": "example-appconfig", "uid": "ac-uid-1", "controller": true,
                        "blockOwnerDeletion": true,
                    ]
                ],
            ],
            "spec": [
                "containers": [
                    [
                        "name": "wordpress",
                        "image": "wordpress:php7.2",
                        "ports": [["containerPort": 80, "name": "wordpress"]],
                        "env": [["name": "TEST_ENV", "value": "test"]],
                        "config": [["path": "/test/configfile/config", "value": "test"]],
                    ]
                ]
            ],
        ])
    }

    static let exampleLabels: JSONValue = [
        "app.oam.dev/name": "example-appconfig",
        "app.oam.dev/component": "example-component",
        "app.oam.dev/revision": "example-component-v1",
        "app.oam.dev/resourceType": "WORKLOAD",
    ]

    static let workloadOwner: JSONValue = [
        "apiVersion": "core.oam.dev/v1alpha2", "kind": "ContainerizedWorkload",
        "name": "example-appconfig-workload", "uid": "cw-uid-1", "controller": true, "blockOwnerDeletion": true,
    ]

    /// A workload with the given containers and nothing else.
    static func workload(containers: JSONValue, spec extra: JSONObject = [:]) throws -> Resource {
        var spec: JSONObject = ["containers": containers]
        spec.merge(extra) { _, new in new }
        return try Resource([
            "apiVersion": "core.oam.dev/v1alpha2", "kind": "ContainerizedWorkload",
            "metadata": ["name": "cw", "namespace": "ns", "uid": "u1"],
            "spec": .object(spec),
        ])
    }

    static func podSpec(_ translated: TranslatedWorkload) throws -> JSONValue {
        try translated.deployment.value(at: "spec.template.spec")
    }

    // MARK: - The worked example

    @Test("the example's Deployment has every field of §7.2")
    func exampleDeployment() throws {
        let translated = try ContainerizedWorkloadTranslation.translate(Self.exampleWorkload())
        let expected = try Resource([
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": [
                "name": "example-appconfig-workload",
                "namespace": "default",
                "labels": Self.exampleLabels,
                "annotations": ["app.oam.dev/generation": "1"],
                "ownerReferences": [Self.workloadOwner],
            ],
            "spec": [
                "selector": ["matchLabels": [.init(stringLiteral: Self.label): "cw-uid-1"]],
                "template": [
                    "metadata": [
                        "labels": [
                            Self.label: "cw-uid-1",
                            "app.oam.dev/name": "example-appconfig",
                            "app.oam.dev/component": "example-component",
                            "app.oam.dev/revision": "example-component-v1",
                            "app.oam.dev/resourceType": "WORKLOAD",
                        ]
                    ],
                    "spec": [
                        "containers": [
                            [
                                "name": "wordpress",
                                "image": "wordpress:php7.2",
                                "ports": [["name": "wordpress", "containerPort": 80, "protocol": "TCP"]],
                                "env": [["name": "TEST_ENV", "value": "test"]],
                                "volumeMounts": [
                                    [
                                        "name": "example-appconfig-workload-wordpress-1582584990",
                                        "mountPath": "/test/configfile/config",
                                        "subPath": "config",
                                    ]
                                ],
                            ]
                        ],
                        "volumes": [
                            [
                                "name": "example-appconfig-workload-wordpress-1582584990",
                                "configMap": ["name": "example-appconfig-workload-wordpress-1582584990"],
                            ]
                        ],
                    ],
                ],
            ],
        ])
        #expect(translated.deployment == expected)
        #expect(translated.deployment.valueIfPresent(at: "spec.replicas") == nil)
        #expect(translated.deployment.valueIfPresent(at: "spec.template.metadata.annotations") == nil)
        // The selector label comes first in the template, then the workload's labels in order.
        let templateLabels = try #require(translated.deployment.value(at: "spec.template.metadata.labels").objectValue)
        #expect(Array(templateLabels.keys) == [Self.label] + Self.exampleLabels.objectValue!.keys)
        #expect(Array(translated.deployment.labels.keys) == Array(Self.exampleLabels.objectValue!.keys))
    }

    @Test("the example's Service is a ClusterIP for port 80 selecting the workload's pods")
    func exampleService() throws {
        let translated = try ContainerizedWorkloadTranslation.translate(Self.exampleWorkload())
        let expected = try Resource([
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": [
                "name": "example-appconfig-workload",
                "namespace": "default",
                "labels": [.init(stringLiteral: Self.label): "cw-uid-1"],
                "ownerReferences": [Self.workloadOwner],
            ],
            "spec": [
                "type": "ClusterIP",
                "selector": [.init(stringLiteral: Self.label): "cw-uid-1"],
                "ports": [
                    ["name": "example-appconfig-workload", "port": 80, "targetPort": 80, "protocol": "TCP"]
                ],
            ],
        ])
        #expect(translated.service == expected)
    }

    @Test("the example's config file becomes one ConfigMap named after the path's FNV-1a hash")
    func exampleConfigMap() throws {
        let translated = try ContainerizedWorkloadTranslation.translate(Self.exampleWorkload())
        let expected = try Resource([
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": [
                "name": "example-appconfig-workload-wordpress-1582584990",
                "namespace": "default",
                "labels": Self.exampleLabels,
                "annotations": ["app.oam.dev/generation": "1"],
            ],
            "data": ["config": "test"],
        ])
        #expect(translated.configMaps == [expected])
        // The Deployment has no uid yet, so the ConfigMap has no owner reference to it.
        #expect(translated.configMaps[0].ownerReferences.isEmpty)
    }

    @Test(
        "ConfigMap names end with the decimal FNV-1a hash of the file path",
        arguments: [
            ("/test/path/config", "example-appconfig-workload-wordpress-3972676475"),
            ("/test/configfile/config", "example-appconfig-workload-wordpress-1582584990"),
        ])
    func configMapName(path: String, name: String) throws {
        var workload = try Self.exampleWorkload()
        try workload.setValue(.string(path), at: "spec.containers[0].config[0].path")
        let translated = try ContainerizedWorkloadTranslation.translate(workload)
        #expect(translated.configMaps.map(\.name) == [name])
        #expect(try Self.podSpec(translated)["volumes"]?[0]?["name"] == .string(name))
    }

    @Test("translation is deterministic")
    func deterministic() throws {
        let workload = try Self.exampleWorkload()
        let first = try ContainerizedWorkloadTranslation.translate(workload)
        let second = try ContainerizedWorkloadTranslation.translate(workload)
        #expect(first == second)
        #expect(first.deployment.object.keys == second.deployment.object.keys)
    }

    // MARK: - Owner references and offline rendering

    @Test("configMapOwnerReference names the Deployment as controller once it has a uid")
    func configMapOwner() throws {
        var deployment = Resource(apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "ns")
        #expect(ContainerizedWorkloadTranslation.configMapOwnerReference(deployment: deployment) == nil)
        deployment.uid = "d-uid"
        #expect(
            ContainerizedWorkloadTranslation.configMapOwnerReference(deployment: deployment)
                == OwnerReference(
                    apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "d-uid", controller: true,
                    blockOwnerDeletion: true))
    }

    @Test("a workload without a uid selects its pods by name and gets no owner references")
    func offlineWorkload() throws {
        var workload = try Self.exampleWorkload()
        try workload.removeValue(at: "metadata.uid")
        let translated = try ContainerizedWorkloadTranslation.translate(workload)
        let service = try #require(translated.service)
        let name: JSONValue = "example-appconfig-workload"
        #expect(try translated.deployment.value(at: FieldPath(parsing: "spec.selector.matchLabels[\(Self.label)]")) == name)
        #expect(try translated.deployment.value(at: FieldPath(parsing: "spec.template.metadata.labels[\(Self.label)]")) == name)
        #expect(try service.value(at: FieldPath(parsing: "spec.selector[\(Self.label)]")) == name)
        #expect(service.labels == [Self.label: "example-appconfig-workload"])
        #expect(translated.deployment.ownerReferences.isEmpty)
        #expect(service.ownerReferences.isEmpty)
    }

    @Test("the selector label wins over a workload label of the same key")
    func selectorLabelWins() throws {
        var workload = try Self.exampleWorkload()
        workload.setLabel(Self.label, "spoofed")
        let translated = try ContainerizedWorkloadTranslation.translate(workload)
        #expect(try translated.deployment.value(at: FieldPath(parsing: "spec.template.metadata.labels[\(Self.label)]")) == "cw-uid-1")
        #expect(try translated.deployment.value(at: FieldPath(parsing: "spec.selector.matchLabels[\(Self.label)]")) == "cw-uid-1")
    }

    @Test("a workload without a namespace gives objects without one")
    func noNamespace() throws {
        var workload = try Self.exampleWorkload()
        try workload.removeValue(at: "metadata.namespace")
        let translated = try ContainerizedWorkloadTranslation.translate(workload)
        #expect(translated.deployment.namespace == nil)
        #expect(translated.service?.namespace == nil)
        #expect(translated.configMaps[0].namespace == nil)
    }

    // MARK: - Pod spec fields

    @Test("nodeSelector has only the keys whose source is set")
    func nodeSelector() throws {
        let container: JSONValue = [["name": "c", "image": "i"]]
        let none = try ContainerizedWorkloadTranslation.translate(Self.workload(containers: container))
        #expect(try Self.podSpec(none)["nodeSelector"] == nil)
        let osOnly = try ContainerizedWorkloadTranslation.translate(
            Self.workload(containers: container, spec: ["osType": "linux"]))
        #expect(try Self.podSpec(osOnly)["nodeSelector"] == ["beta.kubernetes.io/os": "linux"])
        let both = try ContainerizedWorkloadTranslation.translate(
            Self.workload(containers: container, spec: ["osType": "windows", "arch": "arm64"]))
        #expect(
            try Self.podSpec(both)["nodeSelector"]
                == ["beta.kubernetes.io/os": "windows", "kubernetes.io/arch": "arm64"])
    }

    @Test("command and args are copied; env takes a value, else a secret, else is dropped")
    func commandArgsEnv() throws {
        let translated = try ContainerizedWorkloadTranslation.translate(
            Self.workload(containers: [
                [
                    "name": "c", "image": "i", "command": ["/bin/sh", "-c"], "args": ["echo hi"],
                    "env": [
                        ["name": "PLAIN", "value": ""],
                        ["name": "SECRET", "fromSecret": ["name": "db", "key": "password"]],
                        ["name": "BOTH", "value": "v", "fromSecret": ["name": "db", "key": "k"]],
                        ["name": "NEITHER"],
                    ],
                ]
            ]))
        let container = try #require(try Self.podSpec(translated)["containers"]?[0])
        #expect(container["command"] == ["/bin/sh", "-c"])
        #expect(container["args"] == ["echo hi"])
        #expect(
            container["env"] == [
                ["name": "PLAIN", "value": ""],
                ["name": "SECRET", "valueFrom": ["secretKeyRef": ["name": "db", "key": "password"]]],
                ["name": "BOTH", "value": "v"],
            ])
        #expect(container["resources"] == nil)
        #expect(container["volumeMounts"] == nil)
    }

    @Test("ports keep their protocol and default to TCP")
    func ports() throws {
        let translated = try ContainerizedWorkloadTranslation.translate(
            Self.workload(containers: [
                [
                    "name": "c", "image": "i",
                    "ports": [["name": "dns", "containerPort": 53, "protocol": "UDP"], ["containerPort": 8080]],
                ]
            ]))
        #expect(
            try Self.podSpec(translated)["containers"]?[0]?["ports"] == [
                ["name": "dns", "containerPort": 53, "protocol": "UDP"],
                ["containerPort": 8080, "protocol": "TCP"],
            ])
        // The Service uses the first port of the first container.
        #expect(try translated.service?.value(at: "spec.ports[0].port") == 53)
        #expect(try translated.service?.value(at: "spec.ports[0].targetPort") == 53)
    }

    @Test("probes copy every handler that is set and the timings that are set")
    func probes() throws {
        let translated = try ContainerizedWorkloadTranslation.translate(
            Self.workload(containers: [
                [
                    "name": "c", "image": "i",
                    "livenessProbe": [
                        "exec": ["command": ["cat", "/tmp/healthy"]],
                        "httpGet": [
                            "path": "/healthz", "port": 8080,
                            "httpHeaders": [["name": "X-Probe", "value": "1"]],
                        ],
                        "tcpSocket": ["port": 9000],
                        "initialDelaySeconds": 5, "timeoutSeconds": 2, "periodSeconds": 10,
                        "successThreshold": 1, "failureThreshold": 3,
                    ],
                    "readinessProbe": ["httpGet": ["port": 8080]],
                ]
            ]))
        let container = try #require(try Self.podSpec(translated)["containers"]?[0])
        #expect(
            container["livenessProbe"] == [
                "exec": ["command": ["cat", "/tmp/healthy"]],
                "httpGet": ["path": "/healthz", "port": 8080, "httpHeaders": [["name": "X-Probe", "value": "1"]]],
                "tcpSocket": ["port": 9000],
                "initialDelaySeconds": 5, "timeoutSeconds": 2, "periodSeconds": 10,
                "successThreshold": 1, "failureThreshold": 3,
            ])
        #expect(container["readinessProbe"] == ["httpGet": ["port": 8080]])
    }

    @Test("resources become CPU and memory requests; GPU and extended resources are ignored")
    func resourceRequests() throws {
        let translated = try ContainerizedWorkloadTranslation.translate(
            Self.workload(containers: [
                [
                    "name": "c", "image": "i",
                    "resources": [
                        "cpu": ["required": "500m"], "memory": ["required": "128Mi"], "gpu": ["required": "1"],
                        "extended": [["name": "example.com/dongle", "required": 2]],
                    ],
                ]
            ]))
        #expect(
            try Self.podSpec(translated)["containers"]?[0]?["resources"]
                == ["requests": ["cpu": "500m", "memory": "128Mi"]])
    }

    // MARK: - §12.16 fixes

    @Test("fix 1: every resource volume gets a pod volume, emptyDir sized by disk.required")
    func resourceVolumes() throws {
        let resources: (JSONValue) -> JSONValue = { volumes in
            ["cpu": ["required": "1"], "memory": ["required": "1Gi"], "volumes": volumes]
        }
        let translated = try ContainerizedWorkloadTranslation.translate(
            Self.workload(containers: [
                [
                    "name": "a", "image": "i",
                    "resources": resources([
                        ["name": "data", "mountPath": "/data", "accessMode": "RW", "disk": ["required": "2Gi"]],
                        ["name": "cache", "mountPath": "/cache", "accessMode": "RO"],
                    ]),
                ],
                [
                    "name": "b", "image": "i",
                    "resources": resources([["name": "data", "mountPath": "/shared", "sharingPolicy": "Shared"]]),
                ],
            ]))
        let podSpec = try Self.podSpec(translated)
        #expect(
            podSpec["containers"]?[0]?["volumeMounts"] == [
                ["name": "data", "mountPath": "/data"],
                ["name": "cache", "mountPath": "/cache", "readOnly": true],
            ])
        #expect(podSpec["containers"]?[1]?["volumeMounts"] == [["name": "data", "mountPath": "/shared"]])
        // One volume per name: the two containers share "data".
        #expect(
            podSpec["volumes"] == [
                ["name": "data", "emptyDir": ["sizeLimit": "2Gi"]],
                ["name": "cache", "emptyDir": [:]],
            ])
    }

    @Test("fix 2: config files in one directory are mounted one by one with subPath")
    func configFilesInOneDirectory() throws {
        let translated = try ContainerizedWorkloadTranslation.translate(
            Self.workload(containers: [
                [
                    "name": "web", "image": "i",
                    "config": [
                        ["path": "/etc/app/a.yml", "value": "a: 1"],
                        ["path": "/etc/app/b.yml", "value": "b: 2"],
                        ["path": "/etc/app/ignored"],
                    ],
                ]
            ]))
        let a = "cw-web-\(fnv1a("/etc/app/a.yml"))"
        let b = "cw-web-\(fnv1a("/etc/app/b.yml"))"
        let podSpec = try Self.podSpec(translated)
        #expect(
            podSpec["containers"]?[0]?["volumeMounts"] == [
                ["name": .string(a), "mountPath": "/etc/app/a.yml", "subPath": "a.yml"],
                ["name": .string(b), "mountPath": "/etc/app/b.yml", "subPath": "b.yml"],
            ])
        #expect(
            podSpec["volumes"] == [
                ["name": .string(a), "configMap": ["name": .string(a)]],
                ["name": .string(b), "configMap": ["name": .string(b)]],
            ])
        #expect(translated.configMaps.map(\.name) == [a, b])
        #expect(translated.configMaps.map { $0.object["data"] } == [["a.yml": "a: 1"], ["b.yml": "b: 2"]])
        #expect(translated.configMaps.allSatisfy { $0.labels.isEmpty && $0.annotations.isEmpty })
    }

    @Test("fix 2: secret files are mounted one by one; files of one secret share its volume")
    func secretFiles() throws {
        let translated = try ContainerizedWorkloadTranslation.translate(
            Self.workload(containers: [
                [
                    "name": "web", "image": "i",
                    "config": [
                        ["path": "/etc/tls/tls.crt", "fromSecret": ["name": "tls", "key": "tls.crt"]],
                        ["path": "/etc/tls/tls.key", "fromSecret": ["name": "tls", "key": "tls.key"]],
                        ["path": "/etc/db/password", "fromSecret": ["name": "db", "key": "pw"]],
                    ],
                ]
            ]))
        let podSpec = try Self.podSpec(translated)
        #expect(
            podSpec["containers"]?[0]?["volumeMounts"] == [
                ["name": "tls", "mountPath": "/etc/tls/tls.crt", "subPath": "tls.crt"],
                ["name": "tls", "mountPath": "/etc/tls/tls.key", "subPath": "tls.key"],
                ["name": "db", "mountPath": "/etc/db/password", "subPath": "pw"],
            ])
        #expect(
            podSpec["volumes"] == [
                [
                    "name": "tls",
                    "secret": [
                        "secretName": "tls",
                        "items": [["key": "tls.crt", "path": "tls.crt"], ["key": "tls.key", "path": "tls.key"]],
                    ],
                ],
                ["name": "db", "secret": ["secretName": "db", "items": [["key": "pw", "path": "pw"]]]],
            ])
        #expect(translated.configMaps.isEmpty)
    }

    @Test("fix 3: no Service when the first container has no ports")
    func noServiceWithoutPorts() throws {
        let translated = try ContainerizedWorkloadTranslation.translate(
            Self.workload(containers: [
                ["name": "worker", "image": "i"],
                ["name": "web", "image": "i", "ports": [["containerPort": 80]]],
            ]))
        #expect(translated.service == nil)
        let emptyPorts = try ContainerizedWorkloadTranslation.translate(
            Self.workload(containers: [["name": "worker", "image": "i", "ports": []]]))
        #expect(emptyPorts.service == nil)
    }

    @Test("the Service keeps the protocol of the first port instead of always TCP")
    func serviceProtocol() throws {
        let translated = try ContainerizedWorkloadTranslation.translate(
            Self.workload(containers: [["name": "dns", "image": "i", "ports": [["containerPort": 53, "protocol": "UDP"]]]]))
        #expect(try translated.service?.value(at: "spec.ports[0].protocol") == "UDP")
    }

    @Test("fix 4: imagePullSecrets are listed once each, in first-use order")
    func imagePullSecrets() throws {
        let translated = try ContainerizedWorkloadTranslation.translate(
            Self.workload(containers: [
                ["name": "a", "image": "i", "imagePullSecret": "registry-b"],
                ["name": "b", "image": "i", "imagePullSecret": "registry-a"],
                ["name": "c", "image": "i", "imagePullSecret": "registry-b"],
                ["name": "d", "image": "i"],
            ]))
        #expect(try Self.podSpec(translated)["imagePullSecrets"] == [["name": "registry-b"], ["name": "registry-a"]])
        let none = try ContainerizedWorkloadTranslation.translate(
            Self.workload(containers: [["name": "a", "image": "i"]]))
        #expect(try Self.podSpec(none)["imagePullSecrets"] == nil)
        #expect(try Self.podSpec(none)["volumes"] == nil)
    }

    // MARK: - Errors

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        /// Where the valid workload is changed.
        var path: FieldPath
        /// The new value; `nil` removes the field.
        var value: JSONValue?
        /// The error's text.
        var error: String

        var testDescription: String { error }
    }

    /// A valid workload with two containers, which the error cases break one field at a time.
    static func validWorkload() throws -> Resource {
        try Resource([
            "apiVersion": "core.oam.dev/v1alpha2", "kind": "ContainerizedWorkload",
            "metadata": ["name": "cw", "uid": "u"],
            "spec": [
                "osType": "linux",
                "containers": [
                    ["name": "a", "image": "i", "command": ["run"]],
                    [
                        "name": "b", "image": "i",
                        "ports": [["containerPort": 80]],
                        "env": [["name": "E", "fromSecret": ["name": "s", "key": "k"]]],
                        "config": [["path": "/etc/x", "value": "v"]],
                        "resources": [
                            "cpu": ["required": "1"], "memory": ["required": "1Gi"],
                            "volumes": [["name": "v", "mountPath": "/v", "disk": ["required": "1Gi"]]],
                        ],
                        "livenessProbe": ["httpGet": ["port": 80], "periodSeconds": 3],
                        "imagePullSecret": "r",
                    ],
                ],
            ],
        ])
    }

    static let errorCases: [ErrorCase] = [
        .init(path: "metadata.name", value: nil, error: "metadata.name: required field is missing"),
        .init(path: "metadata.name", value: "", error: "metadata.name: required field is missing"),
        .init(path: "metadata.name", value: 7, error: "metadata.name: expected a string, found an integer"),
        .init(path: "metadata", value: "x", error: "metadata: expected an object, found a string"),
        .init(path: "spec", value: nil, error: "spec.containers: required field is missing"),
        .init(path: "spec", value: [], error: "spec: expected an object, found an array"),
        .init(path: "spec.containers", value: nil, error: "spec.containers: required field is missing"),
        .init(path: "spec.containers", value: .null, error: "spec.containers: required field is missing"),
        .init(path: "spec.containers", value: "c", error: "spec.containers: expected an array, found a string"),
        .init(path: "spec.containers", value: [], error: "spec.containers: must list at least one container"),
        .init(path: "spec.osType", value: true, error: "spec.osType: expected a string, found a boolean"),
        .init(path: "spec.arch", value: 1.5, error: "spec.arch: expected a string, found a number"),
        .init(path: "spec.containers[0]", value: "a", error: "spec.containers[0]: expected an object, found a string"),
        .init(path: "spec.containers[0].name", value: nil, error: "spec.containers[0].name: required field is missing"),
        .init(path: "spec.containers[1].image", value: nil, error: "spec.containers[1].image: required field is missing"),
        .init(
            path: "spec.containers[1].image", value: ["x": 1],
            error: "spec.containers[1].image: expected a string, found an object"),
        .init(
            path: "spec.containers[0].command[1]", value: false,
            error: "spec.containers[0].command[1]: expected a string, found a boolean"),
        .init(
            path: "spec.containers[0].args", value: "run",
            error: "spec.containers[0].args: expected an array, found a string"),
        .init(
            path: "spec.containers[1].ports[0].containerPort", value: "80",
            error: "spec.containers[1].ports[0].containerPort: expected an integer, found a string"),
        .init(
            path: "spec.containers[1].ports[0].containerPort", value: 80.5,
            error: "spec.containers[1].ports[0].containerPort: expected an integer, found a number"),
        .init(
            path: "spec.containers[1].ports[0].containerPort", value: 4_294_967_296,
            error: "spec.containers[1].ports[0].containerPort: 4294967296 does not fit in 32 bits"),
        .init(
            path: "spec.containers[1].ports[0].containerPort", value: nil,
            error: "spec.containers[1].ports[0].containerPort: required field is missing"),
        .init(
            path: "spec.containers[1].ports[0].protocol", value: 6,
            error: "spec.containers[1].ports[0].protocol: expected a string, found an integer"),
        .init(
            path: "spec.containers[1].env[0].name", value: nil,
            error: "spec.containers[1].env[0].name: required field is missing"),
        .init(
            path: "spec.containers[1].env[0].fromSecret.key", value: nil,
            error: "spec.containers[1].env[0].fromSecret.key: required field is missing"),
        .init(
            path: "spec.containers[1].env[0].value", value: 1,
            error: "spec.containers[1].env[0].value: expected a string, found an integer"),
        .init(
            path: "spec.containers[1].config[0].path", value: nil,
            error: "spec.containers[1].config[0].path: required field is missing"),
        .init(
            path: "spec.containers[1].config[0].path", value: "/etc/",
            error: "spec.containers[1].config[0].path: expected the path of a file, found \"/etc/\""),
        .init(
            path: "spec.containers[1].resources.cpu", value: nil,
            error: "spec.containers[1].resources.cpu: required field is missing"),
        .init(
            path: "spec.containers[1].resources.memory.required", value: nil,
            error: "spec.containers[1].resources.memory.required: required field is missing"),
        .init(
            path: "spec.containers[1].resources.cpu.required", value: [],
            error: "spec.containers[1].resources.cpu.required: expected a quantity (a string or a number), found an array"),
        .init(
            path: "spec.containers[1].resources.volumes[0].mountPath", value: nil,
            error: "spec.containers[1].resources.volumes[0].mountPath: required field is missing"),
        .init(
            path: "spec.containers[1].resources.volumes[0].disk.required", value: true,
            error:
                "spec.containers[1].resources.volumes[0].disk.required: expected a quantity (a string or a number), found a boolean"
        ),
        .init(
            path: "spec.containers[1].livenessProbe.httpGet.port", value: "http",
            error: "spec.containers[1].livenessProbe.httpGet.port: expected an integer, found a string"),
        .init(
            path: "spec.containers[1].livenessProbe.periodSeconds", value: "3s",
            error: "spec.containers[1].livenessProbe.periodSeconds: expected an integer, found a string"),
        .init(
            path: "spec.containers[1].readinessProbe.tcpSocket", value: [:],
            error: "spec.containers[1].readinessProbe.tcpSocket.port: required field is missing"),
        .init(
            path: "spec.containers[1].imagePullSecret", value: ["r"],
            error: "spec.containers[1].imagePullSecret: expected a string, found an array"),
    ]

    @Test("a broken field is reported with its path", arguments: errorCases)
    func reportsBrokenField(_ errorCase: ErrorCase) throws {
        var workload = try Self.validWorkload()
        #expect(throws: Never.self) { try ContainerizedWorkloadTranslation.translate(workload) }
        if let value = errorCase.value {
            try workload.setValue(value, at: errorCase.path)
        } else {
            try workload.removeValue(at: errorCase.path)
        }
        let error = #expect(throws: TranslationError.self) { try ContainerizedWorkloadTranslation.translate(workload) }
        #expect(error?.description == errorCase.error)
        #expect(error.map { "\($0.path): \($0.message)" } == errorCase.error)
    }

    @Test("the wrong-type error names the container port path from the brief")
    func errorPathIsStructured() throws {
        var workload = try Self.validWorkload()
        try workload.setValue("80", at: "spec.containers[1].ports[0].containerPort")
        let error = #expect(throws: TranslationError.self) { try ContainerizedWorkloadTranslation.translate(workload) }
        #expect(
            error?.path
                == FieldPath([
                    .field("spec"), .field("containers"), .index(1), .field("ports"), .index(0), .field("containerPort"),
                ]))
        #expect(error?.message == "expected an integer, found a string")
    }

    @Test("a config file with neither a value nor a secret is ignored")
    func configFileWithoutSource() throws {
        var workload = try Self.validWorkload()
        try workload.removeValue(at: "spec.containers[1].config[0].value")
        let translated = try ContainerizedWorkloadTranslation.translate(workload)
        #expect(translated.configMaps.isEmpty)
        #expect(try Self.podSpec(translated)["volumes"] == [["name": "v", "emptyDir": ["sizeLimit": "1Gi"]]])
    }
}

/// FNV-1a over UTF-8, written out here so the test does not trust the implementation under test.
private func fnv1a(_ text: String) -> UInt32 {
    text.utf8.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 }
}
