import OrderedCollections
import Resources

extension BuiltinKinds {
    /// ReplicaSet defaults (`apps/v1` `SetDefaults_ReplicaSet`): one replica and the pod
    /// template's defaults.
    static func applyReplicaSetDefaults(_ object: inout JSONObject) {
        object.withObject("spec") { spec in
            spec.setDefault("replicas", 1)
            spec.withObject("template") { applyPodTemplateDefaults(&$0) }
        }
    }

    /// DaemonSet defaults (`apps/v1` `SetDefaults_DaemonSet`): a rolling update one node at a
    /// time, ten revisions kept, the pod template's defaults; and, as kube's strategy does, the
    /// template generation in the `deprecated.daemonset.template.generation` annotation (1 on
    /// create, one more on each template change).
    static func applyDaemonSetDefaults(_ object: inout Resource, old: Resource?) {
        object.object.withObject("spec") { spec in
            spec.withObject("updateStrategy") { strategy in
                strategy.setDefaultString("type", "RollingUpdate")
                if strategy["type"] == "RollingUpdate" {
                    strategy.withObject("rollingUpdate") { rolling in
                        rolling.setDefault("maxUnavailable", 1)
                        rolling.setDefault("maxSurge", 0)
                    }
                }
            }
            spec.setDefault("revisionHistoryLimit", 10)
            spec.withObject("template") { applyPodTemplateDefaults(&$0) }
        }
        let key = "deprecated.daemonset.template.generation"
        guard let old else {
            object.setAnnotation(key, "1")
            return
        }
        let previous = Int(old.annotations[key] ?? "") ?? 0
        if object.spec?["template"] != old.spec?["template"] {
            object.setAnnotation(key, String(previous + 1))
        } else if previous > 0 {
            object.setAnnotation(key, String(previous))
        }
    }
}
