extension DifferentialScript {
    /// Ingresses, IngressClasses, NetworkPolicies, PodDisruptionBudgets, HorizontalPodAutoscalers and EndpointSlices.
    static let networkingAndPolicy: [DifferentialStep] = [
        k(.networkingAndPolicy, "np.api-resources-networking", ["api-resources", "--api-group=networking.k8s.io", "-o", "wide"]),
        k(.networkingAndPolicy, "np.api-resources-autoscaling", ["api-resources", "--api-group=autoscaling", "-o", "wide"]),
        k(.networkingAndPolicy, "np.api-resources-policy", ["api-resources", "--api-group=policy", "-o", "wide"]),
        k(.networkingAndPolicy, "np.api-resources-discovery", ["api-resources", "--api-group=discovery.k8s.io", "-o", "wide"]),
        r(.networkingAndPolicy, "np.raw-autoscaling", "GET", "/apis/autoscaling"),
        k(.networkingAndPolicy, "np.create", ["create", "-f", "-"], stdin: """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: ing1, namespace: "{ns}"}
            spec:
              tls: [{hosts: [foo.example.com]}]
              rules:
              - host: foo.example.com
                http:
                  paths:
                  - path: /
                    pathType: Prefix
                    backend: {service: {name: web, port: {number: 80}}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata: {name: "{ns}-ic"}
            spec: {controller: example.com/ingress}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: np1, namespace: "{ns}"}
            spec:
              podSelector: {matchLabels: {app: web}}
              ingress:
              - from: [{podSelector: {}}]
                ports: [{port: 80}]
              egress:
              - ports: [{port: 53, protocol: UDP}]
            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: hpa2, namespace: "{ns}"}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              maxReplicas: 5
              metrics:
              - type: Resource
                resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
              behavior:
                scaleDown: {stabilizationWindowSeconds: 60}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: es1, namespace: "{ns}", labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            endpoints:
            - addresses: [10.1.2.3, 10.1.2.4]
            ports: [{name: http, port: 80}]
            """),
        k(.networkingAndPolicy, "np.get-ing", ["get", "ing", "-n", "{ns}", "-o", "wide"]),
        k(.networkingAndPolicy, "np.get-ic", ["get", "ingressclass", "{ns}-ic"]),
        k(.networkingAndPolicy, "np.get-netpol", ["get", "netpol", "-n", "{ns}"]),
        k(.networkingAndPolicy, "np.netpol-defaults", ["get", "netpol", "np1", "-n", "{ns}", "-o", "jsonpath={.spec.policyTypes} {.spec.ingress[0].ports[0].protocol}"]),
        k(.networkingAndPolicy, "np.ing-status", ["get", "ing", "ing1", "-n", "{ns}", "-o", "jsonpath={.status} {.metadata.generation}"]),
        k(.networkingAndPolicy, "np.ing-status-patch", ["patch", "ing", "ing1", "-n", "{ns}", "--subresource=status", "--type=merge", "-p",
                                                         #"{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.10"}]}}}"#]),
        k(.networkingAndPolicy, "np.get-ing-address", ["get", "ing", "ing1", "-n", "{ns}"]),
        k(.networkingAndPolicy, "np.hpa-defaults", ["get", "hpa", "hpa2", "-n", "{ns}", "-o", "jsonpath={.spec.minReplicas} {.spec.behavior.scaleUp.policies[*].type} {.spec.behavior.scaleDown.policies[0].value}"]),
        k(.networkingAndPolicy, "np.hpa-v1-view", ["get", "horizontalpodautoscalers.v1.autoscaling", "hpa2", "-n", "{ns}", "-o", "jsonpath={.apiVersion} {.spec.targetCPUUtilizationPercentage} {.spec.maxReplicas}"]),
        k(.networkingAndPolicy, "np.hpa-v1-create", ["create", "-f", "-"], stdin: """
            apiVersion: autoscaling/v1
            kind: HorizontalPodAutoscaler
            metadata: {name: hpa1, namespace: "{ns}"}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              maxReplicas: 4
              targetCPUUtilizationPercentage: 70
            """),
        k(.networkingAndPolicy, "np.hpa-v2-of-v1", ["get", "horizontalpodautoscalers.v2.autoscaling", "hpa1", "-n", "{ns}", "-o", "jsonpath={.spec.metrics}"]),
        k(.networkingAndPolicy, "np.hpa-v1-patch", ["patch", "horizontalpodautoscalers.v1.autoscaling", "hpa1", "-n", "{ns}", "--type=merge", "-p", #"{"spec":{"targetCPUUtilizationPercentage":50}}"#]),
        k(.networkingAndPolicy, "np.hpa-v2-after-patch", ["get", "horizontalpodautoscalers.v2.autoscaling", "hpa1", "-n", "{ns}", "-o", "jsonpath={.spec.metrics[0].resource.target.averageUtilization}"]),
        k(.networkingAndPolicy, "np.get-hpa", ["get", "hpa", "-n", "{ns}"]),
        // By name: the kit's EndpointSlice controller adds slices for the Services of other areas.
        k(.networkingAndPolicy, "np.get-es", ["get", "endpointslices", "es1", "-n", "{ns}"]),
        k(.networkingAndPolicy, "np.es-defaults", ["get", "endpointslice", "es1", "-n", "{ns}", "-o", "jsonpath={.ports[0].protocol} {.endpoints[0].conditions} {.metadata.generation}"]),
        k(.networkingAndPolicy, "np.es-addresstype-immutable", ["patch", "endpointslice", "es1", "-n", "{ns}", "--type=merge", "-p", #"{"addressType":"IPv6"}"#]),
        k(.networkingAndPolicy, "np.pdb-create", ["create", "pdb", "pdb1", "-n", "{ns}", "--selector=app=nothing-here", "--min-available=1"]),
        k(.networkingAndPolicy, "np.pdb-spec", ["get", "pdb", "pdb1", "-n", "{ns}", "-o", "jsonpath={.spec}"]),
        k(.networkingAndPolicy, "np.invalid", ["create", "-f", "-"], stdin: """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: bad-ing, namespace: "{ns}"}
            spec:
              rules:
              - host: "Foo_bar"
                http:
                  paths:
                  - path: relative
                    pathType: Prefix
                    backend: {service: {name: web, port: {number: 0}}}
                  - path: /x
                    backend: {service: {name: web, port: {name: http}}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: bad-ing2, namespace: "{ns}"}
            spec: {}
            ---
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata: {name: "{ns}-bad-ic"}
            spec: {controller: "not a controller"}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: bad-np, namespace: "{ns}"}
            spec:
              podSelector: {}
              policyTypes: [Sideways]
              ingress:
              - ports: [{port: 70000, protocol: XTP}]
            ---
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: bad-pdb, namespace: "{ns}"}
            spec: {minAvailable: 1, maxUnavailable: "120%"}
            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: bad-hpa, namespace: "{ns}"}
            spec:
              scaleTargetRef: {kind: "", name: ""}
              minReplicas: 3
              maxReplicas: 2
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: bad-es, namespace: "{ns}"}
            addressType: IPv5
            endpoints: [{addresses: [not-an-ip]}]
            """),
        k(.networkingAndPolicy, "np.hpa-v1-annotations", ["get", "horizontalpodautoscalers.v1.autoscaling", "hpa2", "-n", "{ns}",
                                                           "-o", "jsonpath={.metadata.annotations}"]),
        k(.networkingAndPolicy, "np.hpa-v1-raw-spec", ["get", "horizontalpodautoscalers.v1.autoscaling", "hpa1", "-n", "{ns}",
                                                       "-o", "jsonpath={.spec}"]),
        k(.networkingAndPolicy, "np.ingress-generator", ["create", "ingress", "gen-ing", "-n", "{ns}", "--rule=foo.com/bar=svc1:8080"]),
        k(.networkingAndPolicy, "np.ingress-generator-spec", ["get", "ing", "gen-ing", "-n", "{ns}", "-o", "jsonpath={.spec}"]),
        k(.networkingAndPolicy, "np.autoscale-target", ["create", "deployment", "np-web", "-n", "{ns}", "--image=nginx:1.27"]),
        k(.networkingAndPolicy, "np.autoscale", ["autoscale", "deployment", "np-web", "-n", "{ns}", "--max=5", "--cpu-percent=70"]),
        k(.networkingAndPolicy, "np.autoscale-spec", ["get", "hpa", "np-web", "-n", "{ns}", "-o", "jsonpath={.spec}"]),
        k(.networkingAndPolicy, "np.explain-hpa", ["explain", "hpa.spec.behavior.scaleUp"]),
        k(.networkingAndPolicy, "np.explain-hpa-v1", ["explain", "hpa.spec", "--api-version=autoscaling/v1"]),
        k(.networkingAndPolicy, "np.delete", ["delete", "ing/ing1", "ing/gen-ing", "netpol/np1", "hpa/hpa1", "hpa/hpa2", "hpa/np-web", "deploy/np-web",
                                                "endpointslice/es1", "pdb/pdb1", "-n", "{ns}"]),
        k(.networkingAndPolicy, "np.delete-ic", ["delete", "ingressclass", "{ns}-ic"]),
    ]
}
