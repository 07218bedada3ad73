import OrderedCollections
import Resources

extension BuiltinKinds {
    /// Job defaults (`batch/v1` `SetDefaults_Job`) and, on create, the selector kube's strategy
    /// generates unless `spec.manualSelector` is true: the template is labelled with the Job's
    /// name and uid (`batch.kubernetes.io/job-name`, `job-name`,
    /// `batch.kubernetes.io/controller-uid`, `controller-uid`) and the selector matches the uid.
    /// A Job without labels of its own takes its template's.
    ///
    /// The uid must be assigned before (the API server does so for every create).
    static func applyJobDefaults(_ object: inout Resource, old: Resource?) {
        let name = object.name
        let uid = object.uid ?? ""
        object.object.withObject("spec") { spec in
            applyJobSpecDefaults(&spec)
            if old == nil, spec["manualSelector"]?.boolValue != true {
                spec.withObject("template") { template in
                    template.withObject("metadata") { metadata in
                        metadata.withObject("labels") { labels in
                            for key in ["batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name",
                                        "controller-uid", "job-name"] where labels[key] == nil
                            {
                                labels[key] = .string(key.hasSuffix("uid") ? uid : name)
                            }
                        }
                    }
                }
                if spec["selector"] == nil || spec["selector"]?.isNull == true {
                    spec["selector"] = ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]]
                }
            }
        }
        if object.labels.isEmpty, let labels = object.spec?["template"]?["metadata"]?["labels"]?.objectValue,
            !labels.isEmpty
        {
            object.withMetadata { $0["labels"] = .object(labels) }
        }
    }

    /// The defaults of a `JobSpec`, in a Job or a CronJob's job template.
    static func applyJobSpecDefaults(_ spec: inout JSONObject) {
        let completions = spec["completions"], parallelism = spec["parallelism"]
        if completions == nil || completions?.isNull == true, parallelism == nil || parallelism?.isNull == true {
            spec["completions"] = 1
        }
        spec.setDefault("parallelism", 1)
        if spec["backoffLimit"] == nil || spec["backoffLimit"]?.isNull == true {
            let perIndex = spec["backoffLimitPerIndex"].map { !$0.isNull } ?? false
            spec["backoffLimit"] = perIndex ? 2_147_483_647 : 6
        }
        spec.setDefaultString("completionMode", "NonIndexed")
        spec.setDefault("suspend", false)
        let failurePolicy = spec["podFailurePolicy"].map { !$0.isNull } ?? false
        spec.setDefaultString("podReplacementPolicy", failurePolicy ? "Failed" : "TerminatingOrFailed")
        spec.setDefault("manualSelector", false)
        spec.editObject("podFailurePolicy") { policy in
            policy.editEachObject(in: "rules") { rule in
                rule.editEachObject(in: "onPodConditions") { $0.setDefaultString("status", "True") }
            }
        }
        spec.withObject("template") { applyPodTemplateDefaults(&$0) }
    }

    /// CronJob defaults (`batch/v1` `SetDefaults_CronJob`): concurrent runs allowed, not
    /// suspended, three successful and one failed Job kept, and the defaults of the job
    /// template's pod template.
    static func applyCronJobDefaults(_ object: inout JSONObject) {
        object.withObject("spec") { spec in
            spec.setDefaultString("concurrencyPolicy", "Allow")
            spec.setDefault("suspend", false)
            spec.setDefault("successfulJobsHistoryLimit", 3)
            spec.setDefault("failedJobsHistoryLimit", 1)
            spec.withObject("jobTemplate") { template in
                template.setDefault("metadata", .emptyObject)
                // A job template gets only its pod template's defaults: the Job made from it
                // gets the rest.
                template.withObject("spec") { jobSpec in
                    jobSpec.withObject("template") { podTemplate in
                        podTemplate.setDefault("metadata", .emptyObject)
                        applyPodTemplateDefaults(&podTemplate)
                    }
                }
            }
        }
    }
}
