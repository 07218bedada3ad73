import OrderedCollections
import Resources

/// The defaults kube-apiserver gives a pod spec wherever one appears: in a Pod, and in the pod
/// template of a Deployment, StatefulSet, ReplicaSet, Job, DaemonSet… (`pkg/apis/core/v1`
/// `SetDefaults_PodSpec` and the generated per-field defaults of containers, volumes and probes).
///
/// ```swift
/// var template: JSONObject = ["spec": ["containers": [["name": "web", "image": "nginx"]]]]
/// BuiltinKinds.applyPodTemplateDefaults(&template)
/// // spec.restartPolicy "Always", containers[0].imagePullPolicy "Always", …
/// ```
extension BuiltinKinds {
    /// Defaults of a `PodTemplateSpec` (`metadata` and `spec`).
    public static func applyPodTemplateDefaults(_ template: inout JSONObject) {
        template.withObject("spec") { applyPodSpecDefaults(&$0) }
    }

    /// Defaults of a `PodSpec`.
    public static func applyPodSpecDefaults(_ spec: inout JSONObject) {
        spec.setDefaultString("dnsPolicy", "ClusterFirst")
        spec.setDefaultString("restartPolicy", "Always")
        spec.setDefault("securityContext", .emptyObject)
        spec.setDefault("terminationGracePeriodSeconds", 30)
        spec.setDefaultString("schedulerName", "default-scheduler")
        spec.editEachObject(in: "volumes", applyVolumeDefaults)
        spec.editEachObject(in: "initContainers", applyContainerDefaults)
        spec.editEachObject(in: "containers", applyContainerDefaults)
        spec.editEachObject(in: "ephemeralContainers", applyContainerDefaults)
    }

    /// Defaults of a container: pull policy from the image's tag, termination message, port
    /// protocols, probes, field references.
    static func applyContainerDefaults(_ container: inout JSONObject) {
        container.setDefaultString("imagePullPolicy", defaultPullPolicy(image: container["image"]?.stringValue ?? ""))
        container.setDefaultString("terminationMessagePath", "/dev/termination-log")
        container.setDefaultString("terminationMessagePolicy", "File")
        // A Go struct, never omitted: kube always shows `resources: {}`.
        container.setDefault("resources", .emptyObject)
        container.editEachObject(in: "ports") { $0.setDefaultString("protocol", "TCP") }
        container.editEachObject(in: "env") { env in
            env.editObject("valueFrom") { source in
                source.editObject("fieldRef") { $0.setDefaultString("apiVersion", "v1") }
            }
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            container.editObject(probe, applyProbeDefaults)
        }
        container.editObject("lifecycle") { lifecycle in
            for hook in ["postStart", "preStop"] {
                lifecycle.editObject(hook) { $0.editObject("httpGet", applyHTTPGetDefaults) }
            }
        }
    }

    /// `Always` for an image tagged `latest` or not tagged at all, `IfNotPresent` otherwise (an
    /// image named by digest only has no tag).
    static func defaultPullPolicy(image: String) -> String {
        if image.contains("@") {
            return "IfNotPresent"
        }
        // The tag follows the last `:` after the last `/` (a registry may carry a port).
        let lastComponent = image.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        guard let colon = lastComponent.lastIndex(of: ":") else { return "Always" }
        return lastComponent[lastComponent.index(after: colon)...] == "latest" ? "Always" : "IfNotPresent"
    }

    static func applyProbeDefaults(_ probe: inout JSONObject) {
        for (key, value) in [("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3)]
        where (probe[key]?.intValue ?? 0) == 0 {
            probe[key] = .int(Int64(value))
        }
        probe.editObject("httpGet", applyHTTPGetDefaults)
        probe.editObject("grpc") { $0.setDefault("service", "") }
    }

    static func applyHTTPGetDefaults(_ action: inout JSONObject) {
        action.setDefaultString("path", "/")
        action.setDefaultString("scheme", "HTTP")
    }

    /// The volume sources a volume may name; a volume naming none of them is an `emptyDir`.
    static let volumeSources: Set<String> = [
        "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi",
        "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc",
        "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "projected",
        "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral", "image",
    ]

    static func applyVolumeDefaults(_ volume: inout JSONObject) {
        if !volume.contains(where: { volumeSources.contains($0.key) && !$0.value.isNull }) {
            volume["emptyDir"] = .emptyObject
        }
        volume.editObject("hostPath") { $0.setDefault("type", "") }
        volume.editObject("secret") { $0.setDefault("defaultMode", 420) }
        volume.editObject("configMap") { $0.setDefault("defaultMode", 420) }
        volume.editObject("downwardAPI") { downward in
            downward.setDefault("defaultMode", 420)
            downward.editEachObject(in: "items") { $0.editObject("fieldRef") { $0.setDefaultString("apiVersion", "v1") } }
        }
        volume.editObject("projected") { projected in
            projected.setDefault("defaultMode", 420)
            projected.editEachObject(in: "sources") { source in
                source.editObject("downwardAPI") { downward in
                    downward.editEachObject(in: "items") {
                        $0.editObject("fieldRef") { $0.setDefaultString("apiVersion", "v1") }
                    }
                }
                source.editObject("serviceAccountToken") { $0.setDefault("expirationSeconds", 3600) }
            }
        }
        volume.editObject("ephemeral") { ephemeral in
            ephemeral.editObject("volumeClaimTemplate") { template in
                template.editObject("spec") { $0.setDefault("volumeMode", "Filesystem") }
            }
        }
        volume.editObject("image") { image in
            image.setDefaultString("pullPolicy", defaultPullPolicy(image: image["reference"]?.stringValue ?? ""))
        }
    }
}
