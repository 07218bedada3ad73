import OrderedCollections
import Resources

extension BuiltinKinds {
    /// StatefulSet defaults (`apps/v1` `SetDefaults_StatefulSet`): ordered pod management, a
    /// rolling update from partition 0, claims retained, one replica, ten revisions kept, and the
    /// defaults of the pod template and of the volume claim templates.
    static func applyStatefulSetDefaults(_ object: inout JSONObject) {
        object.withObject("spec") { spec in
            spec.setDefaultString("podManagementPolicy", "OrderedReady")
            spec.withObject("updateStrategy") { strategy in
                if strategy["type"]?.stringValue?.isEmpty ?? true {
                    strategy["type"] = "RollingUpdate"
                    strategy.setDefault("rollingUpdate", .emptyObject)
                }
                if strategy["type"] == "RollingUpdate" {
                    strategy.editObject("rollingUpdate") { $0.setDefault("partition", 0) }
                }
            }
            spec.withObject("persistentVolumeClaimRetentionPolicy") { policy in
                policy.setDefaultString("whenDeleted", "Retain")
                policy.setDefaultString("whenScaled", "Retain")
            }
            spec.setDefault("replicas", 1)
            spec.setDefault("revisionHistoryLimit", 10)
            spec.withObject("template") { applyPodTemplateDefaults(&$0) }
            spec.editEachObject(in: "volumeClaimTemplates", applyClaimTemplateDefaults)
        }
    }

    /// A StatefulSet's volume claim template is a whole PersistentVolumeClaim: kind, apiVersion,
    /// volume mode and a `Pending` phase.
    static func applyClaimTemplateDefaults(_ claim: inout JSONObject) {
        claim.setDefaultString("apiVersion", "v1")
        claim.setDefaultString("kind", "PersistentVolumeClaim")
        claim.withObject("spec") { $0.setDefault("volumeMode", "Filesystem") }
        claim.withObject("status") { $0.setDefaultString("phase", "Pending") }
    }
}
