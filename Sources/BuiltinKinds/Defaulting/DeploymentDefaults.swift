import OrderedCollections
import Resources

extension BuiltinKinds {
    /// Deployment defaults (`apps/v1` `SetDefaults_Deployment`): one replica, a 25 %/25 % rolling
    /// update, ten old ReplicaSets kept, a 600 s progress deadline, and the pod template's defaults.
    static func applyDeploymentDefaults(_ object: inout JSONObject) {
        object.withObject("spec") { spec in
            spec.setDefault("replicas", 1)
            spec.withObject("strategy") { strategy in
                strategy.setDefaultString("type", "RollingUpdate")
                if strategy["type"] == "RollingUpdate" {
                    strategy.withObject("rollingUpdate") { rollingUpdate in
                        rollingUpdate.setDefault("maxUnavailable", "25%")
                        rollingUpdate.setDefault("maxSurge", "25%")
                    }
                }
            }
            spec.setDefault("revisionHistoryLimit", 10)
            spec.setDefault("progressDeadlineSeconds", 600)
            spec.withObject("template") { applyPodTemplateDefaults(&$0) }
        }
    }
}
