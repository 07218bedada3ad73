// GENERATED FILE — do not edit. Written by scripts/gen-protobuf-table.py from the Go API types
// (types.go and siblings) of Kubernetes (v1.36.2) under staging/src/k8s.io/{api,apimachinery,
// apiextensions-apiserver}: 584 messages, 2025 fields. Run the script again
// to regenerate it. The format is described in the script and parsed by `ProtobufSchema`.

extension ProtobufSchema {
    /// The field table of every protobuf message of the built-in kinds (see the generator).
    static let generatedTable = """
P meta/v1 meta.k8s.io/v1
M APIGroup K
1 name - s
2 versions r GroupVersionForDiscovery
3 preferredVersion o GroupVersionForDiscovery
4 serverAddressByClientCIDRs or ServerAddressByClientCIDR
M APIGroupList K
1 groups r APIGroup
M APIResource
1 name - s
6 singularName - s
2 namespaced - b
8 group o s
9 version o s
3 kind - s
4 verbs - Verbs
5 shortNames or s
7 categories or s
10 storageVersionHash o s
M APIResourceList K
1 groupVersion - s
2 resources r APIResource
M APIVersions K
1 versions r s
2 serverAddressByClientCIDRs r ServerAddressByClientCIDR
M ApplyOptions K
1 dryRun or s
2 force - b
3 fieldManager - s
M Condition
1 type - s
2 status - s
3 observedGeneration o l
4 lastTransitionTime - Time
5 reason - s
6 message - s
M CreateOptions K
1 dryRun or s
3 fieldManager o s
4 fieldValidation o s
M DeleteOptions K
1 gracePeriodSeconds op l
2 preconditions op Preconditions
3 orphanDependents op b
4 propagationPolicy op s
5 dryRun or s
6 ignoreStoreReadErrorWithClusterBreakingPotential op b
M Duration X
1 duration - l
M FieldSelectorRequirement
1 key - s
2 operator - s
3 values or s
M FieldsV1 X
1 Raw - y
M GetOptions K
1 resourceVersion o s
M GroupKind
1 group - s
2 kind - s
M GroupResource
1 group - s
2 resource - s
M GroupVersion
1 group - s
2 version - s
M GroupVersionForDiscovery
1 groupVersion - s
2 version - s
M GroupVersionKind
1 group - s
2 version - s
3 kind - s
M GroupVersionResource
1 group - s
2 version - s
3 resource - s
M LabelSelector
1 matchLabels o map:s:s
2 matchExpressions or LabelSelectorRequirement
M LabelSelectorRequirement
1 key - s
2 operator - s
3 values or s
M List K
1 metadata o ListMeta
2 items r pkg/runtime.RawExtension
M ListMeta
1 selfLink o s
2 resourceVersion o s
3 continue o s
4 remainingItemCount op l
5 shardInfo op ShardInfo
M ListOptions K
1 labelSelector o s
2 fieldSelector o s
3 watch o b
9 allowWatchBookmarks o b
4 resourceVersion o s
10 resourceVersionMatch o s
5 timeoutSeconds op l
7 limit o l
8 continue o s
11 sendInitialEvents op b
15 shardSelector o s
M ManagedFieldsEntry
1 manager o s
2 operation o s
3 apiVersion o s
4 time op Time
6 fieldsType o s
7 fieldsV1 op FieldsV1
8 subresource o s
M MicroTime X
1 seconds - l
2 nanos - i
M ObjectMeta
1 name o s
2 generateName o s
3 namespace o s
4 selfLink o s
5 uid o s
6 resourceVersion o s
7 generation o l
8 creationTimestamp oz Time
9 deletionTimestamp op Time
10 deletionGracePeriodSeconds op l
11 labels o map:s:s
12 annotations o map:s:s
13 ownerReferences or OwnerReference
14 finalizers or s
17 managedFields or ManagedFieldsEntry
M OwnerReference
5 apiVersion - s
1 kind - s
3 name - s
4 uid - s
6 controller op b
7 blockOwnerDeletion op b
M PartialObjectMetadata K
1 metadata o ObjectMeta
M PartialObjectMetadataList K
1 metadata o ListMeta
2 items r PartialObjectMetadata
M Patch
M PatchOptions K
1 dryRun or s
2 force op b
3 fieldManager o s
4 fieldValidation o s
M Preconditions
1 uid op s
2 resourceVersion op s
M RootPaths
1 paths r s
M ServerAddressByClientCIDR
1 clientCIDR - s
2 serverAddress - s
M ShardInfo
1 selector - s
M Status K
1 metadata o ListMeta
2 status o s
3 message o s
4 reason o s
5 details op StatusDetails
6 code o i
M StatusCause
1 reason o s
2 message o s
3 field o s
M StatusDetails
1 name o s
2 group o s
3 kind o s
6 uid o s
4 causes or StatusCause
5 retryAfterSeconds o i
M TableOptions K
1 includeObject o s
M Time X
1 seconds - l
2 nanos - i
M Timestamp
1 seconds - l
2 nanos - i
M TypeMeta
1 kind o s
2 apiVersion o s
M UpdateOptions K
1 dryRun or s
2 fieldManager o s
3 fieldValidation o s
M WatchEvent K
1 type - s
2 object - pkg/runtime.RawExtension
M Verbs W
1 items r s
P pkg/runtime -
M Allocator
M NegotiateError
M NoopDecoder
M NoopEncoder
M Pair
M RawExtension X
1 raw - y
M Scheme
M SerializerInfo
M SimpleAllocator
M StreamSerializerInfo
M TypeMeta
1 apiVersion o s
2 kind o s
M Unknown X
1 typeMeta - TypeMeta
2 raw - y
3 contentEncoding - s
4 contentType - s
M WithVersionEncoder
M WithoutVersionDecoder
M base64Serializer
M buffer
M bufferedLine
M clientNegotiator
M codec
M defaultFramer
M disabledGroupVersioner
M encoderWithAllocator
M equivalentResourceRegistry
M fieldInfo
M fieldsCache
M fromUnstructuredContext
M internalGroupVersioner
M missingKindErr
M missingVersionErr
M multiGroupVersioner
M nondeterministicEncoderToEncoderAdapter
M notRegisteredErr
M parameterCodec
M simpleNegotiatedSerializer
M spliceBuffer
M strictDecodingError
M structField
M unsafeObjectConvertor
M unstructuredConverter
P util/intstr -
M IntOrString X
1 type - l
2 intVal - i
3 strVal - s
P api/resource -
M Quantity X
1 string - s
M QuantityValue
M bePair
M fastLookup
M infDecAmount
M int64Amount
M listSuffixer
M suffixHandler
P core/v1 v1
M AWSElasticBlockStoreVolumeSource
1 volumeID - s
2 fsType o s
3 partition o i
4 readOnly o b
M Affinity
1 nodeAffinity op NodeAffinity
2 podAffinity op PodAffinity
3 podAntiAffinity op PodAntiAffinity
M AppArmorProfile
1 type - s
2 localhostProfile op s
M AttachedVolume
1 name - s
2 devicePath - s
M AvoidPods
1 preferAvoidPods or PreferAvoidPodsEntry
M AzureDiskVolumeSource
1 diskName - s
2 diskURI - s
3 cachingMode op s
4 fsType op s
5 readOnly op b
6 kind op s
M AzureFilePersistentVolumeSource
1 secretName - s
2 shareName - s
3 readOnly o b
4 secretNamespace p s
M AzureFileVolumeSource
1 secretName - s
2 shareName - s
3 readOnly o b
M Binding K
1 metadata o meta/v1.ObjectMeta
2 target - ObjectReference
M CSIPersistentVolumeSource
1 driver - s
2 volumeHandle - s
3 readOnly o b
4 fsType o s
5 volumeAttributes o map:s:s
6 controllerPublishSecretRef op SecretReference
7 nodeStageSecretRef op SecretReference
8 nodePublishSecretRef op SecretReference
9 controllerExpandSecretRef op SecretReference
10 nodeExpandSecretRef op SecretReference
M CSIVolumeSource
1 driver - s
2 readOnly op b
3 fsType op s
4 volumeAttributes o map:s:s
5 nodePublishSecretRef op LocalObjectReference
M Capabilities
1 add or s
2 drop or s
M CephFSPersistentVolumeSource
1 monitors r s
2 path o s
3 user o s
4 secretFile o s
5 secretRef op SecretReference
6 readOnly o b
M CephFSVolumeSource
1 monitors r s
2 path o s
3 user o s
4 secretFile o s
5 secretRef op LocalObjectReference
6 readOnly o b
M CinderPersistentVolumeSource
1 volumeID - s
2 fsType o s
3 readOnly o b
4 secretRef op SecretReference
M CinderVolumeSource
1 volumeID - s
2 fsType o s
3 readOnly o b
4 secretRef op LocalObjectReference
M ClientIPConfig
1 timeoutSeconds op i
M ClusterTrustBundleProjection
1 name op s
2 signerName op s
3 labelSelector op meta/v1.LabelSelector
5 optional op b
4 path - s
M ComponentCondition
1 type - s
2 status - s
3 message o s
4 error o s
M ComponentStatus K
1 metadata o meta/v1.ObjectMeta
2 conditions or ComponentCondition
M ComponentStatusList K
1 metadata o meta/v1.ListMeta
2 items r ComponentStatus
M ConfigMap K
1 metadata o meta/v1.ObjectMeta
4 immutable op b
2 data o map:s:s
3 binaryData o map:s:y
M ConfigMapEnvSource
1 _ i LocalObjectReference
2 optional op b
M ConfigMapKeySelector
1 _ i LocalObjectReference
2 key - s
3 optional op b
M ConfigMapList K
1 metadata o meta/v1.ListMeta
2 items r ConfigMap
M ConfigMapNodeConfigSource
1 namespace - s
2 name - s
3 uid o s
4 resourceVersion o s
5 kubeletConfigKey - s
M ConfigMapProjection
1 _ i LocalObjectReference
2 items or KeyToPath
4 optional op b
M ConfigMapVolumeSource
1 _ i LocalObjectReference
2 items or KeyToPath
3 defaultMode op i
4 optional op b
M Container
1 name - s
2 image o s
3 command or s
4 args or s
5 workingDir o s
6 ports or ContainerPort
19 envFrom or EnvFromSource
7 env or EnvVar
8 resources o ResourceRequirements
23 resizePolicy or ContainerResizePolicy
24 restartPolicy op s
25 restartPolicyRules or ContainerRestartRule
9 volumeMounts or VolumeMount
21 volumeDevices or VolumeDevice
10 livenessProbe op Probe
11 readinessProbe op Probe
22 startupProbe op Probe
12 lifecycle op Lifecycle
13 terminationMessagePath o s
20 terminationMessagePolicy o s
14 imagePullPolicy o s
15 securityContext op SecurityContext
16 stdin o b
17 stdinOnce o b
18 tty o b
M ContainerExtendedResourceRequest
1 containerName - s
2 resourceName - s
3 requestName - s
M ContainerImage
1 names r s
2 sizeBytes o l
M ContainerPort
1 name o s
2 hostPort o i
3 containerPort - i
4 protocol o s
5 hostIP o s
M ContainerResizePolicy
1 resourceName - s
2 restartPolicy - s
M ContainerRestartRule
1 action o s
2 exitCodes op ContainerRestartRuleOnExitCodes
M ContainerRestartRuleOnExitCodes
1 operator o s
2 values or i
M ContainerState
1 waiting op ContainerStateWaiting
2 running op ContainerStateRunning
3 terminated op ContainerStateTerminated
M ContainerStateRunning
1 startedAt o meta/v1.Time
M ContainerStateTerminated
1 exitCode - i
2 signal o i
3 reason o s
4 message o s
5 startedAt o meta/v1.Time
6 finishedAt o meta/v1.Time
7 containerID o s
M ContainerStateWaiting
1 reason o s
2 message o s
M ContainerStatus
1 name - s
2 state o ContainerState
3 lastState o ContainerState
4 ready - b
5 restartCount - i
6 image - s
7 imageID - s
8 containerID o s
9 started op b
10 allocatedResources o map:s:api/resource.Quantity
11 resources op ResourceRequirements
12 volumeMounts or VolumeMountStatus
13 user op ContainerUser
14 allocatedResourcesStatus or ResourceStatus
15 stopSignal op s
M ContainerUser
1 linux op LinuxContainerUser
M DaemonEndpoint
1 Port - i
M DownwardAPIProjection
1 items or DownwardAPIVolumeFile
M DownwardAPIVolumeFile
1 path - s
2 fieldRef op ObjectFieldSelector
3 resourceFieldRef op ResourceFieldSelector
4 mode op i
M DownwardAPIVolumeSource
1 items or DownwardAPIVolumeFile
2 defaultMode op i
M EmptyDirVolumeSource
1 medium o s
2 sizeLimit op api/resource.Quantity
M EndpointAddress
1 ip - s
3 hostname o s
4 nodeName op s
2 targetRef op ObjectReference
M EndpointPort
1 name o s
2 port - i
3 protocol o s
4 appProtocol op s
M EndpointSubset
1 addresses or EndpointAddress
2 notReadyAddresses or EndpointAddress
3 ports or EndpointPort
M Endpoints K
1 metadata o meta/v1.ObjectMeta
2 subsets or EndpointSubset
M EndpointsList K
1 metadata o meta/v1.ListMeta
2 items r Endpoints
M EnvFromSource
1 prefix o s
2 configMapRef op ConfigMapEnvSource
3 secretRef op SecretEnvSource
M EnvVar
1 name - s
2 value o s
3 valueFrom op EnvVarSource
M EnvVarSource
1 fieldRef op ObjectFieldSelector
2 resourceFieldRef op ResourceFieldSelector
3 configMapKeyRef op ConfigMapKeySelector
4 secretKeyRef op SecretKeySelector
5 fileKeyRef op FileKeySelector
M EphemeralContainer
1 _ i EphemeralContainerCommon
2 targetContainerName o s
M EphemeralContainerCommon
1 name - s
2 image o s
3 command or s
4 args or s
5 workingDir o s
6 ports or ContainerPort
19 envFrom or EnvFromSource
7 env or EnvVar
8 resources o ResourceRequirements
23 resizePolicy or ContainerResizePolicy
24 restartPolicy op s
25 restartPolicyRules or ContainerRestartRule
9 volumeMounts or VolumeMount
21 volumeDevices or VolumeDevice
10 livenessProbe op Probe
11 readinessProbe op Probe
22 startupProbe op Probe
12 lifecycle op Lifecycle
13 terminationMessagePath o s
20 terminationMessagePolicy o s
14 imagePullPolicy o s
15 securityContext op SecurityContext
16 stdin o b
17 stdinOnce o b
18 tty o b
M EphemeralVolumeSource
1 volumeClaimTemplate op PersistentVolumeClaimTemplate
M Event K
1 metadata - meta/v1.ObjectMeta
2 involvedObject - ObjectReference
3 reason o s
4 message o s
5 source o EventSource
6 firstTimestamp o meta/v1.Time
7 lastTimestamp o meta/v1.Time
8 count o i
9 type o s
10 eventTime o meta/v1.MicroTime
11 series op EventSeries
12 action o s
13 related op ObjectReference
14 reportingComponent - s
15 reportingInstance - s
M EventList K
1 metadata o meta/v1.ListMeta
2 items r Event
M EventSeries
1 count o i
2 lastObservedTime o meta/v1.MicroTime
M EventSource
1 component o s
2 host o s
M ExecAction
1 command or s
M FCVolumeSource
1 targetWWNs or s
2 lun op i
3 fsType o s
4 readOnly o b
5 wwids or s
M FileKeySelector
1 volumeName - s
2 path - s
3 key - s
4 optional op b
M FlexPersistentVolumeSource
1 driver - s
2 fsType o s
3 secretRef op SecretReference
4 readOnly o b
5 options o map:s:s
M FlexVolumeSource
1 driver - s
2 fsType o s
3 secretRef op LocalObjectReference
4 readOnly o b
5 options o map:s:s
M FlockerVolumeSource
1 datasetName o s
2 datasetUUID o s
M GCEPersistentDiskVolumeSource
1 pdName - s
2 fsType o s
3 partition o i
4 readOnly o b
M GRPCAction
1 port - i
2 service p s
M GitRepoVolumeSource
1 repository - s
2 revision o s
3 directory o s
M GlusterfsPersistentVolumeSource
1 endpoints - s
2 path - s
3 readOnly o b
4 endpointsNamespace op s
M GlusterfsVolumeSource
1 endpoints - s
2 path - s
3 readOnly o b
M HTTPGetAction
1 path o s
2 port - util/intstr.IntOrString
3 host o s
4 scheme o s
5 httpHeaders or HTTPHeader
M HTTPHeader
1 name - s
2 value - s
M HostAlias
1 ip - s
2 hostnames or s
M HostIP
1 ip - s
M HostPathVolumeSource
1 path - s
2 type op s
M ISCSIPersistentVolumeSource
1 targetPortal - s
2 iqn - s
3 lun - i
4 iscsiInterface o s
5 fsType o s
6 readOnly o b
7 portals or s
8 chapAuthDiscovery o b
11 chapAuthSession o b
10 secretRef op SecretReference
12 initiatorName op s
M ISCSIVolumeSource
1 targetPortal - s
2 iqn - s
3 lun - i
4 iscsiInterface o s
5 fsType o s
6 readOnly o b
7 portals or s
8 chapAuthDiscovery o b
11 chapAuthSession o b
10 secretRef op LocalObjectReference
12 initiatorName op s
M ImageVolumeSource
1 reference o s
2 pullPolicy o s
M ImageVolumeStatus
1 imageRef o s
M KeyToPath
1 key - s
2 path - s
3 mode op i
M Lifecycle
1 postStart op LifecycleHandler
2 preStop op LifecycleHandler
3 stopSignal op s
M LifecycleHandler
1 exec op ExecAction
2 httpGet op HTTPGetAction
3 tcpSocket op TCPSocketAction
4 sleep op SleepAction
M LimitRange K
1 metadata o meta/v1.ObjectMeta
2 spec o LimitRangeSpec
M LimitRangeItem
1 type - s
2 max o map:s:api/resource.Quantity
3 min o map:s:api/resource.Quantity
4 default o map:s:api/resource.Quantity
5 defaultRequest o map:s:api/resource.Quantity
6 maxLimitRequestRatio o map:s:api/resource.Quantity
M LimitRangeList K
1 metadata o meta/v1.ListMeta
2 items r LimitRange
M LimitRangeSpec
1 limits r LimitRangeItem
M LinuxContainerUser
1 uid - l
2 gid - l
3 supplementalGroups or l
M LoadBalancerIngress
1 ip o s
2 hostname o s
3 ipMode op s
4 ports or PortStatus
M LoadBalancerStatus
1 ingress or LoadBalancerIngress
M LocalObjectReference
1 name o s
M LocalVolumeSource
1 path - s
2 fsType op s
M ModifyVolumeStatus
1 targetVolumeAttributesClassName o s
2 status - s
M NFSVolumeSource
1 server - s
2 path - s
3 readOnly o b
M Namespace K
1 metadata o meta/v1.ObjectMeta
2 spec o NamespaceSpec
3 status o NamespaceStatus
M NamespaceCondition
1 type - s
2 status - s
4 lastTransitionTime o meta/v1.Time
5 reason o s
6 message o s
M NamespaceList K
1 metadata o meta/v1.ListMeta
2 items r Namespace
M NamespaceSpec
1 finalizers or s
M NamespaceStatus
1 phase o s
2 conditions or NamespaceCondition
M Node K
1 metadata o meta/v1.ObjectMeta
2 spec o NodeSpec
3 status o NodeStatus
M NodeAddress
1 type - s
2 address - s
M NodeAffinity
1 requiredDuringSchedulingIgnoredDuringExecution op NodeSelector
2 preferredDuringSchedulingIgnoredDuringExecution or PreferredSchedulingTerm
M NodeAllocatableResourceClaimStatus
1 resourceClaimName - s
2 containers or s
3 resources - map:s:api/resource.Quantity
M NodeCondition
1 type - s
2 status - s
3 lastHeartbeatTime o meta/v1.Time
4 lastTransitionTime o meta/v1.Time
5 reason o s
6 message o s
M NodeConfigSource
2 configMap op ConfigMapNodeConfigSource
M NodeConfigStatus
1 assigned op NodeConfigSource
2 active op NodeConfigSource
3 lastKnownGood op NodeConfigSource
4 error o s
M NodeDaemonEndpoints
1 kubeletEndpoint o DaemonEndpoint
M NodeFeatures
1 supplementalGroupsPolicy op b
M NodeList K
1 metadata o meta/v1.ListMeta
2 items r Node
M NodeProxyOptions K
1 path o s
M NodeRuntimeHandler
1 name - s
2 features op NodeRuntimeHandlerFeatures
M NodeRuntimeHandlerFeatures
1 recursiveReadOnlyMounts op b
2 userNamespaces op b
M NodeSelector
1 nodeSelectorTerms r NodeSelectorTerm
M NodeSelectorRequirement
1 key - s
2 operator - s
3 values or s
M NodeSelectorTerm
1 matchExpressions or NodeSelectorRequirement
2 matchFields or NodeSelectorRequirement
M NodeSpec
1 podCIDR o s
7 podCIDRs or s
3 providerID o s
4 unschedulable o b
5 taints or Taint
6 configSource op NodeConfigSource
2 externalID o s
M NodeStatus
1 capacity o map:s:api/resource.Quantity
2 allocatable o map:s:api/resource.Quantity
3 phase o s
4 conditions or NodeCondition
5 addresses or NodeAddress
6 daemonEndpoints o NodeDaemonEndpoints
7 nodeInfo o NodeSystemInfo
8 images or ContainerImage
9 volumesInUse or s
10 volumesAttached or AttachedVolume
11 config op NodeConfigStatus
12 runtimeHandlers or NodeRuntimeHandler
13 features op NodeFeatures
14 declaredFeatures or s
M NodeSwapStatus
1 capacity op l
M NodeSystemInfo
1 machineID - s
2 systemUUID - s
3 bootID - s
4 kernelVersion - s
5 osImage - s
6 containerRuntimeVersion - s
7 kubeletVersion - s
8 kubeProxyVersion - s
9 operatingSystem - s
10 architecture - s
11 swap op NodeSwapStatus
M ObjectFieldSelector
1 apiVersion o s
2 fieldPath - s
M ObjectReference
1 kind o s
2 namespace o s
3 name o s
4 uid o s
5 apiVersion o s
6 resourceVersion o s
7 fieldPath o s
M PersistentVolume K
1 metadata o meta/v1.ObjectMeta
2 spec o PersistentVolumeSpec
3 status o PersistentVolumeStatus
M PersistentVolumeClaim K
1 metadata o meta/v1.ObjectMeta
2 spec o PersistentVolumeClaimSpec
3 status o PersistentVolumeClaimStatus
M PersistentVolumeClaimCondition
1 type - s
2 status - s
3 lastProbeTime o meta/v1.Time
4 lastTransitionTime o meta/v1.Time
5 reason o s
6 message o s
M PersistentVolumeClaimList K
1 metadata o meta/v1.ListMeta
2 items r PersistentVolumeClaim
M PersistentVolumeClaimSpec
1 accessModes or s
4 selector op meta/v1.LabelSelector
2 resources o VolumeResourceRequirements
3 volumeName o s
5 storageClassName op s
6 volumeMode op s
7 dataSource op TypedLocalObjectReference
8 dataSourceRef op TypedObjectReference
9 volumeAttributesClassName op s
M PersistentVolumeClaimStatus
1 phase o s
2 accessModes or s
3 capacity o map:s:api/resource.Quantity
4 conditions or PersistentVolumeClaimCondition
5 allocatedResources o map:s:api/resource.Quantity
7 allocatedResourceStatuses o map:s:s
8 currentVolumeAttributesClassName op s
9 modifyVolumeStatus op ModifyVolumeStatus
M PersistentVolumeClaimTemplate
1 metadata o meta/v1.ObjectMeta
2 spec - PersistentVolumeClaimSpec
M PersistentVolumeClaimVolumeSource
1 claimName - s
2 readOnly o b
M PersistentVolumeList K
1 metadata o meta/v1.ListMeta
2 items r PersistentVolume
M PersistentVolumeSource
1 gcePersistentDisk op GCEPersistentDiskVolumeSource
2 awsElasticBlockStore op AWSElasticBlockStoreVolumeSource
3 hostPath op HostPathVolumeSource
4 glusterfs op GlusterfsPersistentVolumeSource
5 nfs op NFSVolumeSource
6 rbd op RBDPersistentVolumeSource
7 iscsi op ISCSIPersistentVolumeSource
8 cinder op CinderPersistentVolumeSource
9 cephfs op CephFSPersistentVolumeSource
10 fc op FCVolumeSource
11 flocker op FlockerVolumeSource
12 flexVolume op FlexPersistentVolumeSource
13 azureFile op AzureFilePersistentVolumeSource
14 vsphereVolume op VsphereVirtualDiskVolumeSource
15 quobyte op QuobyteVolumeSource
16 azureDisk op AzureDiskVolumeSource
17 photonPersistentDisk op PhotonPersistentDiskVolumeSource
18 portworxVolume op PortworxVolumeSource
19 scaleIO op ScaleIOPersistentVolumeSource
20 local op LocalVolumeSource
21 storageos op StorageOSPersistentVolumeSource
22 csi op CSIPersistentVolumeSource
M PersistentVolumeSpec
1 capacity o map:s:api/resource.Quantity
2 _ i PersistentVolumeSource
3 accessModes or s
4 claimRef op ObjectReference
5 persistentVolumeReclaimPolicy o s
6 storageClassName o s
7 mountOptions or s
8 volumeMode op s
9 nodeAffinity op VolumeNodeAffinity
10 volumeAttributesClassName op s
M PersistentVolumeStatus
1 phase o s
2 message o s
3 reason o s
4 lastPhaseTransitionTime op meta/v1.Time
M PhotonPersistentDiskVolumeSource
1 pdID - s
2 fsType o s
M Pod K
1 metadata o meta/v1.ObjectMeta
2 spec o PodSpec
3 status o PodStatus
M PodAffinity
1 requiredDuringSchedulingIgnoredDuringExecution or PodAffinityTerm
2 preferredDuringSchedulingIgnoredDuringExecution or WeightedPodAffinityTerm
M PodAffinityTerm
1 labelSelector op meta/v1.LabelSelector
2 namespaces or s
3 topologyKey - s
4 namespaceSelector op meta/v1.LabelSelector
5 matchLabelKeys or s
6 mismatchLabelKeys or s
M PodAntiAffinity
1 requiredDuringSchedulingIgnoredDuringExecution or PodAffinityTerm
2 preferredDuringSchedulingIgnoredDuringExecution or WeightedPodAffinityTerm
M PodAttachOptions K
1 stdin o b
2 stdout o b
3 stderr o b
4 tty o b
5 container o s
M PodCertificateProjection
1 signerName o s
2 keyType o s
3 maxExpirationSeconds op i
4 credentialBundlePath o s
5 keyPath o s
6 certificateChainPath o s
7 userAnnotations o map:s:s
M PodCondition
1 type - s
7 observedGeneration o l
2 status - s
3 lastProbeTime o meta/v1.Time
4 lastTransitionTime o meta/v1.Time
5 reason o s
6 message o s
M PodDNSConfig
1 nameservers or s
2 searches or s
3 options or PodDNSConfigOption
M PodDNSConfigOption
1 name o s
2 value op s
M PodExecOptions K
1 stdin o b
2 stdout o b
3 stderr o b
4 tty o b
5 container o s
6 command r s
M PodExtendedResourceClaimStatus
1 requestMappings r ContainerExtendedResourceRequest
2 resourceClaimName - s
M PodIP
1 ip - s
M PodList K
1 metadata o meta/v1.ListMeta
2 items r Pod
M PodLogOptions K
1 container o s
2 follow o b
3 previous o b
4 sinceSeconds op l
5 sinceTime op meta/v1.Time
6 timestamps o b
7 tailLines op l
8 limitBytes op l
9 insecureSkipTLSVerifyBackend o b
10 stream op s
M PodOS
1 name - s
M PodPortForwardOptions K
1 ports or i
M PodProxyOptions K
1 path o s
M PodReadinessGate
1 conditionType - s
M PodResourceClaim
1 name - s
3 resourceClaimName op s
4 resourceClaimTemplateName op s
M PodResourceClaimStatus
1 name - s
2 resourceClaimName op s
M PodSchedulingGate
1 name - s
M PodSchedulingGroup
1 podGroupName op s
M PodSecurityContext
1 seLinuxOptions op SELinuxOptions
8 windowsOptions op WindowsSecurityContextOptions
2 runAsUser op l
6 runAsGroup op l
3 runAsNonRoot op b
4 supplementalGroups or l
12 supplementalGroupsPolicy op s
5 fsGroup op l
7 sysctls or Sysctl
9 fsGroupChangePolicy op s
10 seccompProfile op SeccompProfile
11 appArmorProfile op AppArmorProfile
13 seLinuxChangePolicy op s
M PodSignature
1 podController op meta/v1.OwnerReference
M PodSpec
1 volumes or Volume
20 initContainers or Container
2 containers r Container
34 ephemeralContainers or EphemeralContainer
3 restartPolicy o s
4 terminationGracePeriodSeconds op l
5 activeDeadlineSeconds op l
6 dnsPolicy o s
7 nodeSelector o map:s:s
8 serviceAccountName o s
9 serviceAccount o s
21 automountServiceAccountToken op b
10 nodeName o s
11 hostNetwork o b
12 hostPID o b
13 hostIPC o b
27 shareProcessNamespace op b
14 securityContext op PodSecurityContext
15 imagePullSecrets or LocalObjectReference
16 hostname o s
17 subdomain o s
18 affinity op Affinity
19 schedulerName o s
22 tolerations or Toleration
23 hostAliases or HostAlias
24 priorityClassName o s
25 priority op i
26 dnsConfig op PodDNSConfig
28 readinessGates or PodReadinessGate
29 runtimeClassName op s
30 enableServiceLinks op b
31 preemptionPolicy op s
32 overhead o map:s:api/resource.Quantity
33 topologySpreadConstraints or TopologySpreadConstraint
35 setHostnameAsFQDN op b
36 os op PodOS
37 hostUsers op b
38 schedulingGates or PodSchedulingGate
39 resourceClaims or PodResourceClaim
40 resources op ResourceRequirements
41 hostnameOverride op s
43 schedulingGroup op PodSchedulingGroup
M PodStatus
17 observedGeneration o l
1 phase o s
2 conditions or PodCondition
3 message o s
4 reason o s
11 nominatedNodeName o s
5 hostIP o s
16 hostIPs or HostIP
6 podIP o s
12 podIPs or PodIP
7 startTime op meta/v1.Time
10 initContainerStatuses or ContainerStatus
8 containerStatuses or ContainerStatus
9 qosClass o s
13 ephemeralContainerStatuses or ContainerStatus
14 resize o s
15 resourceClaimStatuses or PodResourceClaimStatus
18 extendedResourceClaimStatus op PodExtendedResourceClaimStatus
19 allocatedResources o map:s:api/resource.Quantity
20 resources op ResourceRequirements
21 nodeAllocatableResourceClaimStatuses or NodeAllocatableResourceClaimStatus
M PodStatusResult K
1 metadata o meta/v1.ObjectMeta
2 status o PodStatus
M PodTemplate K
1 metadata o meta/v1.ObjectMeta
2 template o PodTemplateSpec
M PodTemplateList K
1 metadata o meta/v1.ListMeta
2 items r PodTemplate
M PodTemplateSpec
1 metadata o meta/v1.ObjectMeta
2 spec o PodSpec
M PortStatus
1 port - i
2 protocol - s
3 error op s
M PortworxVolumeSource
1 volumeID - s
2 fsType o s
3 readOnly o b
M Preconditions
1 uid op s
M PreferAvoidPodsEntry
1 podSignature - PodSignature
2 evictionTime o meta/v1.Time
3 reason o s
4 message o s
M PreferredSchedulingTerm
1 weight - i
2 preference - NodeSelectorTerm
M Probe
1 _ i ProbeHandler
2 initialDelaySeconds o i
3 timeoutSeconds o i
4 periodSeconds o i
5 successThreshold o i
6 failureThreshold o i
7 terminationGracePeriodSeconds op l
M ProbeHandler
1 exec op ExecAction
2 httpGet op HTTPGetAction
3 tcpSocket op TCPSocketAction
4 grpc op GRPCAction
M ProjectedVolumeSource
1 sources r VolumeProjection
2 defaultMode op i
M QuobyteVolumeSource
1 registry - s
2 volume - s
3 readOnly o b
4 user o s
5 group o s
6 tenant o s
M RBDPersistentVolumeSource
1 monitors r s
2 image - s
3 fsType o s
4 pool o s
5 user o s
6 keyring o s
7 secretRef op SecretReference
8 readOnly o b
M RBDVolumeSource
1 monitors r s
2 image - s
3 fsType o s
4 pool o s
5 user o s
6 keyring o s
7 secretRef op LocalObjectReference
8 readOnly o b
M RangeAllocation K
1 metadata o meta/v1.ObjectMeta
2 range - s
3 data - y
M ReplicationController K
1 metadata o meta/v1.ObjectMeta
2 spec o ReplicationControllerSpec
3 status o ReplicationControllerStatus
M ReplicationControllerCondition
1 type - s
2 status - s
3 lastTransitionTime o meta/v1.Time
4 reason o s
5 message o s
M ReplicationControllerList K
1 metadata o meta/v1.ListMeta
2 items r ReplicationController
M ReplicationControllerSpec
1 replicas op i
4 minReadySeconds o i
2 selector o map:s:s
3 template op PodTemplateSpec
M ReplicationControllerStatus
1 replicas - i
2 fullyLabeledReplicas o i
4 readyReplicas o i
5 availableReplicas o i
3 observedGeneration o l
6 conditions or ReplicationControllerCondition
M ResourceClaim
1 name - s
2 request o s
M ResourceFieldSelector
1 containerName o s
2 resource - s
3 divisor o api/resource.Quantity
M ResourceHealth
1 resourceID - s
2 health o s
6 message op s
M ResourceQuota K
1 metadata o meta/v1.ObjectMeta
2 spec o ResourceQuotaSpec
3 status o ResourceQuotaStatus
M ResourceQuotaList K
1 metadata o meta/v1.ListMeta
2 items r ResourceQuota
M ResourceQuotaSpec
1 hard o map:s:api/resource.Quantity
2 scopes or s
3 scopeSelector op ScopeSelector
M ResourceQuotaStatus
1 hard o map:s:api/resource.Quantity
2 used o map:s:api/resource.Quantity
M ResourceRequirements
1 limits o map:s:api/resource.Quantity
2 requests o map:s:api/resource.Quantity
3 claims or ResourceClaim
M ResourceStatus
1 name - s
2 resources or ResourceHealth
M SELinuxOptions
1 user o s
2 role o s
3 type o s
4 level o s
M ScaleIOPersistentVolumeSource
1 gateway - s
2 system - s
3 secretRef p SecretReference
4 sslEnabled o b
5 protectionDomain o s
6 storagePool o s
7 storageMode o s
8 volumeName o s
9 fsType o s
10 readOnly o b
M ScaleIOVolumeSource
1 gateway - s
2 system - s
3 secretRef p LocalObjectReference
4 sslEnabled o b
5 protectionDomain o s
6 storagePool o s
7 storageMode o s
8 volumeName o s
9 fsType o s
10 readOnly o b
M ScopeSelector
1 matchExpressions or ScopedResourceSelectorRequirement
M ScopedResourceSelectorRequirement
1 scopeName - s
2 operator - s
3 values or s
M SeccompProfile
1 type - s
2 localhostProfile op s
M Secret K
1 metadata o meta/v1.ObjectMeta
5 immutable op b
2 data o map:s:y
4 stringData o map:s:s
3 type o s
M SecretEnvSource
1 _ i LocalObjectReference
2 optional op b
M SecretKeySelector
1 _ i LocalObjectReference
2 key - s
3 optional op b
M SecretList K
1 metadata o meta/v1.ListMeta
2 items r Secret
M SecretProjection
1 _ i LocalObjectReference
2 items or KeyToPath
4 optional op b
M SecretReference
1 name o s
2 namespace o s
M SecretVolumeSource
1 secretName o s
2 items or KeyToPath
3 defaultMode op i
4 optional op b
M SecurityContext
1 capabilities op Capabilities
2 privileged op b
3 seLinuxOptions op SELinuxOptions
10 windowsOptions op WindowsSecurityContextOptions
4 runAsUser op l
8 runAsGroup op l
5 runAsNonRoot op b
6 readOnlyRootFilesystem op b
7 allowPrivilegeEscalation op b
9 procMount op s
11 seccompProfile op SeccompProfile
12 appArmorProfile op AppArmorProfile
M SerializedReference K
1 reference o ObjectReference
M Service K
1 metadata o meta/v1.ObjectMeta
2 spec o ServiceSpec
3 status o ServiceStatus
M ServiceAccount K
1 metadata o meta/v1.ObjectMeta
2 secrets or ObjectReference
3 imagePullSecrets or LocalObjectReference
4 automountServiceAccountToken op b
M ServiceAccountList K
1 metadata o meta/v1.ListMeta
2 items r ServiceAccount
M ServiceAccountTokenProjection
1 audience o s
2 expirationSeconds op l
3 path - s
M ServiceList K
1 metadata o meta/v1.ListMeta
2 items r Service
M ServicePort
1 name o s
2 protocol o s
6 appProtocol op s
3 port - i
4 targetPort o util/intstr.IntOrString
5 nodePort o i
M ServiceProxyOptions K
1 path o s
M ServiceSpec
1 ports or ServicePort
2 selector o map:s:s
3 clusterIP o s
18 clusterIPs or s
4 type o s
5 externalIPs or s
7 sessionAffinity o s
8 loadBalancerIP o s
9 loadBalancerSourceRanges or s
10 externalName o s
11 externalTrafficPolicy o s
12 healthCheckNodePort o i
13 publishNotReadyAddresses o b
14 sessionAffinityConfig op SessionAffinityConfig
19 ipFamilies or s
17 ipFamilyPolicy op s
20 allocateLoadBalancerNodePorts op b
21 loadBalancerClass op s
22 internalTrafficPolicy op s
23 trafficDistribution op s
M ServiceStatus
1 loadBalancer o LoadBalancerStatus
2 conditions or meta/v1.Condition
M SessionAffinityConfig
1 clientIP op ClientIPConfig
M SleepAction
1 seconds - l
M StorageOSPersistentVolumeSource
1 volumeName o s
2 volumeNamespace o s
3 fsType o s
4 readOnly o b
5 secretRef op ObjectReference
M StorageOSVolumeSource
1 volumeName o s
2 volumeNamespace o s
3 fsType o s
4 readOnly o b
5 secretRef op LocalObjectReference
M Sysctl
1 name - s
2 value - s
M TCPSocketAction
1 port - util/intstr.IntOrString
2 host o s
M Taint
1 key - s
2 value o s
3 effect - s
4 timeAdded op meta/v1.Time
M Toleration
1 key o s
2 operator o s
3 value o s
4 effect o s
5 tolerationSeconds op l
M TopologySelectorLabelRequirement
1 key - s
2 values r s
M TopologySelectorTerm
1 matchLabelExpressions or TopologySelectorLabelRequirement
M TopologySpreadConstraint
1 maxSkew - i
2 topologyKey - s
3 whenUnsatisfiable - s
4 labelSelector op meta/v1.LabelSelector
5 minDomains op i
6 nodeAffinityPolicy op s
7 nodeTaintsPolicy op s
8 matchLabelKeys or s
M TypedLocalObjectReference
1 apiGroup p s
2 kind - s
3 name - s
M TypedObjectReference
1 apiGroup p s
2 kind - s
3 name - s
4 namespace op s
M Volume
1 name - s
2 _ i VolumeSource
M VolumeDevice
1 name - s
2 devicePath - s
M VolumeMount
1 name - s
2 readOnly o b
7 recursiveReadOnly op s
3 mountPath - s
4 subPath o s
5 mountPropagation op s
6 subPathExpr o s
M VolumeMountStatus
1 name - s
2 mountPath - s
3 readOnly o b
4 recursiveReadOnly op s
5 volumeStatus op VolumeStatus
M VolumeNodeAffinity
1 required op NodeSelector
M VolumeProjection
1 secret op SecretProjection
2 downwardAPI op DownwardAPIProjection
3 configMap op ConfigMapProjection
4 serviceAccountToken op ServiceAccountTokenProjection
5 clusterTrustBundle op ClusterTrustBundleProjection
6 podCertificate op PodCertificateProjection
M VolumeResourceRequirements
1 limits o map:s:api/resource.Quantity
2 requests o map:s:api/resource.Quantity
M VolumeSource
1 hostPath op HostPathVolumeSource
2 emptyDir op EmptyDirVolumeSource
3 gcePersistentDisk op GCEPersistentDiskVolumeSource
4 awsElasticBlockStore op AWSElasticBlockStoreVolumeSource
5 gitRepo op GitRepoVolumeSource
6 secret op SecretVolumeSource
7 nfs op NFSVolumeSource
8 iscsi op ISCSIVolumeSource
9 glusterfs op GlusterfsVolumeSource
10 persistentVolumeClaim op PersistentVolumeClaimVolumeSource
11 rbd op RBDVolumeSource
12 flexVolume op FlexVolumeSource
13 cinder op CinderVolumeSource
14 cephfs op CephFSVolumeSource
15 flocker op FlockerVolumeSource
16 downwardAPI op DownwardAPIVolumeSource
17 fc op FCVolumeSource
18 azureFile op AzureFileVolumeSource
19 configMap op ConfigMapVolumeSource
20 vsphereVolume op VsphereVirtualDiskVolumeSource
21 quobyte op QuobyteVolumeSource
22 azureDisk op AzureDiskVolumeSource
23 photonPersistentDisk op PhotonPersistentDiskVolumeSource
26 projected op ProjectedVolumeSource
24 portworxVolume op PortworxVolumeSource
25 scaleIO op ScaleIOVolumeSource
27 storageos op StorageOSVolumeSource
28 csi op CSIVolumeSource
29 ephemeral op EphemeralVolumeSource
30 image op ImageVolumeSource
M VolumeStatus
1 image op ImageVolumeStatus
M VsphereVirtualDiskVolumeSource
1 volumePath - s
2 fsType o s
3 storagePolicyName o s
4 storagePolicyID o s
M WeightedPodAffinityTerm
1 weight - i
2 podAffinityTerm - PodAffinityTerm
M WindowsSecurityContextOptions
1 gmsaCredentialSpecName op s
2 gmsaCredentialSpec op s
3 runAsUserName op s
4 hostProcess op b
P apps/v1 apps/v1
M ControllerRevision K
1 metadata o meta/v1.ObjectMeta
2 data o pkg/runtime.RawExtension
3 revision - l
M ControllerRevisionList K
1 metadata o meta/v1.ListMeta
2 items r ControllerRevision
M DaemonSet K
1 metadata o meta/v1.ObjectMeta
2 spec o DaemonSetSpec
3 status o DaemonSetStatus
M DaemonSetCondition
1 type - s
2 status - s
3 lastTransitionTime o meta/v1.Time
4 reason o s
5 message o s
M DaemonSetList K
1 metadata o meta/v1.ListMeta
2 items r DaemonSet
M DaemonSetSpec
1 selector p meta/v1.LabelSelector
2 template - core/v1.PodTemplateSpec
3 updateStrategy o DaemonSetUpdateStrategy
4 minReadySeconds o i
6 revisionHistoryLimit op i
M DaemonSetStatus
1 currentNumberScheduled - i
2 numberMisscheduled - i
3 desiredNumberScheduled - i
4 numberReady - i
5 observedGeneration o l
6 updatedNumberScheduled o i
7 numberAvailable o i
8 numberUnavailable o i
9 collisionCount op i
10 conditions or DaemonSetCondition
M DaemonSetUpdateStrategy
1 type o s
2 rollingUpdate op RollingUpdateDaemonSet
M Deployment K
1 metadata o meta/v1.ObjectMeta
2 spec o DeploymentSpec
3 status o DeploymentStatus
M DeploymentCondition
1 type - s
2 status - s
6 lastUpdateTime o meta/v1.Time
7 lastTransitionTime o meta/v1.Time
4 reason o s
5 message o s
M DeploymentList K
1 metadata o meta/v1.ListMeta
2 items r Deployment
M DeploymentSpec
1 replicas op i
2 selector p meta/v1.LabelSelector
3 template - core/v1.PodTemplateSpec
4 strategy o DeploymentStrategy
5 minReadySeconds o i
6 revisionHistoryLimit op i
7 paused o b
9 progressDeadlineSeconds op i
M DeploymentStatus
1 observedGeneration o l
2 replicas o i
3 updatedReplicas o i
7 readyReplicas o i
4 availableReplicas o i
5 unavailableReplicas o i
9 terminatingReplicas op i
6 conditions or DeploymentCondition
8 collisionCount op i
M DeploymentStrategy
1 type o s
2 rollingUpdate op RollingUpdateDeployment
M ReplicaSet K
1 metadata o meta/v1.ObjectMeta
2 spec o ReplicaSetSpec
3 status o ReplicaSetStatus
M ReplicaSetCondition
1 type - s
2 status - s
3 lastTransitionTime o meta/v1.Time
4 reason o s
5 message o s
M ReplicaSetList K
1 metadata o meta/v1.ListMeta
2 items r ReplicaSet
M ReplicaSetSpec
1 replicas op i
4 minReadySeconds o i
2 selector p meta/v1.LabelSelector
3 template o core/v1.PodTemplateSpec
M ReplicaSetStatus
1 replicas - i
2 fullyLabeledReplicas o i
4 readyReplicas o i
5 availableReplicas o i
7 terminatingReplicas op i
3 observedGeneration o l
6 conditions or ReplicaSetCondition
M RollingUpdateDaemonSet
1 maxUnavailable op util/intstr.IntOrString
2 maxSurge op util/intstr.IntOrString
M RollingUpdateDeployment
1 maxUnavailable op util/intstr.IntOrString
2 maxSurge op util/intstr.IntOrString
M RollingUpdateStatefulSetStrategy
1 partition op i
2 maxUnavailable op util/intstr.IntOrString
M StatefulSet K
1 metadata o meta/v1.ObjectMeta
2 spec o StatefulSetSpec
3 status o StatefulSetStatus
M StatefulSetCondition
1 type - s
2 status - s
3 lastTransitionTime o meta/v1.Time
4 reason o s
5 message o s
M StatefulSetList K
1 metadata o meta/v1.ListMeta
2 items r StatefulSet
M StatefulSetOrdinals
1 start - i
M StatefulSetPersistentVolumeClaimRetentionPolicy
1 whenDeleted o s
2 whenScaled o s
M StatefulSetSpec
1 replicas op i
2 selector p meta/v1.LabelSelector
3 template - core/v1.PodTemplateSpec
4 volumeClaimTemplates or core/v1.PersistentVolumeClaim
5 serviceName - s
6 podManagementPolicy o s
7 updateStrategy o StatefulSetUpdateStrategy
8 revisionHistoryLimit op i
9 minReadySeconds o i
10 persistentVolumeClaimRetentionPolicy op StatefulSetPersistentVolumeClaimRetentionPolicy
11 ordinals op StatefulSetOrdinals
M StatefulSetStatus
1 observedGeneration o l
2 replicas - i
3 readyReplicas o i
4 currentReplicas o i
5 updatedReplicas o i
6 currentRevision o s
7 updateRevision o s
9 collisionCount op i
10 conditions or StatefulSetCondition
11 availableReplicas - i
M StatefulSetUpdateStrategy
1 type o s
2 rollingUpdate op RollingUpdateStatefulSetStrategy
P batch/v1 batch/v1
M CronJob K
1 metadata o meta/v1.ObjectMeta
2 spec o CronJobSpec
3 status o CronJobStatus
M CronJobList K
1 metadata o meta/v1.ListMeta
2 items r CronJob
M CronJobSpec
1 schedule - s
8 timeZone op s
2 startingDeadlineSeconds op l
3 concurrencyPolicy o s
4 suspend op b
5 jobTemplate - JobTemplateSpec
6 successfulJobsHistoryLimit op i
7 failedJobsHistoryLimit op i
M CronJobStatus
1 active or core/v1.ObjectReference
4 lastScheduleTime op meta/v1.Time
5 lastSuccessfulTime op meta/v1.Time
M Job K
1 metadata o meta/v1.ObjectMeta
2 spec o JobSpec
3 status o JobStatus
M JobCondition
1 type - s
2 status - s
3 lastProbeTime o meta/v1.Time
4 lastTransitionTime o meta/v1.Time
5 reason o s
6 message o s
M JobList K
1 metadata o meta/v1.ListMeta
2 items r Job
M JobSpec
1 parallelism op i
2 completions op i
3 activeDeadlineSeconds op l
11 podFailurePolicy op PodFailurePolicy
16 successPolicy op SuccessPolicy
7 backoffLimit op i
12 backoffLimitPerIndex op i
13 maxFailedIndexes op i
4 selector op meta/v1.LabelSelector
5 manualSelector op b
6 template - core/v1.PodTemplateSpec
8 ttlSecondsAfterFinished op i
9 completionMode op s
10 suspend op b
14 podReplacementPolicy op s
15 managedBy op s
M JobStatus
1 conditions or JobCondition
2 startTime op meta/v1.Time
3 completionTime op meta/v1.Time
4 active o i
5 succeeded o i
6 failed o i
11 terminating op i
7 completedIndexes o s
10 failedIndexes op s
8 uncountedTerminatedPods op UncountedTerminatedPods
9 ready op i
M JobTemplateSpec
1 metadata o meta/v1.ObjectMeta
2 spec o JobSpec
M PodFailurePolicy
1 rules r PodFailurePolicyRule
M PodFailurePolicyOnExitCodesRequirement
1 containerName op s
2 operator - s
3 values r i
M PodFailurePolicyOnPodConditionsPattern
1 type - s
2 status - s
M PodFailurePolicyRule
1 action - s
2 onExitCodes op PodFailurePolicyOnExitCodesRequirement
3 onPodConditions or PodFailurePolicyOnPodConditionsPattern
M SuccessPolicy
1 rules r SuccessPolicyRule
M SuccessPolicyRule
1 succeededIndexes op s
2 succeededCount op i
M UncountedTerminatedPods
1 succeeded or s
2 failed or s
P autoscaling/v1 autoscaling/v1
M ContainerResourceMetricSource
1 name - s
2 targetAverageUtilization op i
3 targetAverageValue op api/resource.Quantity
5 container - s
M ContainerResourceMetricStatus
1 name - s
2 currentAverageUtilization op i
3 currentAverageValue - api/resource.Quantity
4 container - s
M CrossVersionObjectReference
1 kind - s
2 name - s
3 apiVersion o s
M ExternalMetricSource
1 metricName - s
2 metricSelector op meta/v1.LabelSelector
3 targetValue op api/resource.Quantity
4 targetAverageValue op api/resource.Quantity
M ExternalMetricStatus
1 metricName - s
2 metricSelector op meta/v1.LabelSelector
3 currentValue - api/resource.Quantity
4 currentAverageValue op api/resource.Quantity
M HorizontalPodAutoscaler K
1 metadata o meta/v1.ObjectMeta
2 spec o HorizontalPodAutoscalerSpec
3 status o HorizontalPodAutoscalerStatus
M HorizontalPodAutoscalerCondition
1 type - s
2 status - s
3 lastTransitionTime o meta/v1.Time
4 reason o s
5 message o s
M HorizontalPodAutoscalerList K
1 metadata o meta/v1.ListMeta
2 items r HorizontalPodAutoscaler
M HorizontalPodAutoscalerSpec
1 scaleTargetRef - CrossVersionObjectReference
2 minReplicas op i
3 maxReplicas - i
4 targetCPUUtilizationPercentage op i
M HorizontalPodAutoscalerStatus
1 observedGeneration op l
2 lastScaleTime op meta/v1.Time
3 currentReplicas - i
4 desiredReplicas - i
5 currentCPUUtilizationPercentage op i
M MetricSpec
1 type - s
2 object op ObjectMetricSource
3 pods op PodsMetricSource
4 resource op ResourceMetricSource
7 containerResource op ContainerResourceMetricSource
5 external op ExternalMetricSource
M MetricStatus
1 type - s
2 object op ObjectMetricStatus
3 pods op PodsMetricStatus
4 resource op ResourceMetricStatus
7 containerResource op ContainerResourceMetricStatus
5 external op ExternalMetricStatus
M ObjectMetricSource
1 target - CrossVersionObjectReference
2 metricName - s
3 targetValue - api/resource.Quantity
4 selector op meta/v1.LabelSelector
5 averageValue op api/resource.Quantity
M ObjectMetricStatus
1 target - CrossVersionObjectReference
2 metricName - s
3 currentValue - api/resource.Quantity
4 selector op meta/v1.LabelSelector
5 averageValue op api/resource.Quantity
M PodsMetricSource
1 metricName - s
2 targetAverageValue - api/resource.Quantity
3 selector op meta/v1.LabelSelector
M PodsMetricStatus
1 metricName - s
2 currentAverageValue - api/resource.Quantity
3 selector op meta/v1.LabelSelector
M ResourceMetricSource
1 name - s
2 targetAverageUtilization op i
3 targetAverageValue op api/resource.Quantity
M ResourceMetricStatus
1 name - s
2 currentAverageUtilization op i
3 currentAverageValue - api/resource.Quantity
M Scale K
1 metadata o meta/v1.ObjectMeta
2 spec o ScaleSpec
3 status o ScaleStatus
M ScaleSpec
1 replicas o i
M ScaleStatus
1 replicas - i
2 selector o s
P autoscaling/v2 autoscaling/v2
M ContainerResourceMetricSource
1 name - s
2 target - MetricTarget
3 container - s
M ContainerResourceMetricStatus
1 name - s
2 current - MetricValueStatus
3 container - s
M CrossVersionObjectReference
1 kind - s
2 name - s
3 apiVersion o s
M ExternalMetricSource
1 metric - MetricIdentifier
2 target - MetricTarget
M ExternalMetricStatus
1 metric - MetricIdentifier
2 current - MetricValueStatus
M HPAScalingPolicy
1 type - s
2 value - i
3 periodSeconds - i
M HPAScalingRules
3 stabilizationWindowSeconds op i
1 selectPolicy op s
2 policies or HPAScalingPolicy
4 tolerance op api/resource.Quantity
M HorizontalPodAutoscaler K
1 metadata o meta/v1.ObjectMeta
2 spec o HorizontalPodAutoscalerSpec
3 status o HorizontalPodAutoscalerStatus
M HorizontalPodAutoscalerBehavior
1 scaleUp op HPAScalingRules
2 scaleDown op HPAScalingRules
M HorizontalPodAutoscalerCondition
1 type - s
2 status - s
3 lastTransitionTime o meta/v1.Time
4 reason o s
5 message o s
M HorizontalPodAutoscalerList K
1 metadata o meta/v1.ListMeta
2 items r HorizontalPodAutoscaler
M HorizontalPodAutoscalerSpec
1 scaleTargetRef - CrossVersionObjectReference
2 minReplicas op i
3 maxReplicas - i
4 metrics or MetricSpec
5 behavior op HorizontalPodAutoscalerBehavior
M HorizontalPodAutoscalerStatus
1 observedGeneration op l
2 lastScaleTime op meta/v1.Time
3 currentReplicas o i
4 desiredReplicas - i
5 currentMetrics r MetricStatus
6 conditions or HorizontalPodAutoscalerCondition
M MetricIdentifier
1 name - s
2 selector op meta/v1.LabelSelector
M MetricSpec
1 type - s
2 object op ObjectMetricSource
3 pods op PodsMetricSource
4 resource op ResourceMetricSource
7 containerResource op ContainerResourceMetricSource
5 external op ExternalMetricSource
M MetricStatus
1 type - s
2 object op ObjectMetricStatus
3 pods op PodsMetricStatus
4 resource op ResourceMetricStatus
7 containerResource op ContainerResourceMetricStatus
5 external op ExternalMetricStatus
M MetricTarget
1 type - s
2 value op api/resource.Quantity
3 averageValue op api/resource.Quantity
4 averageUtilization op i
M MetricValueStatus
1 value op api/resource.Quantity
2 averageValue op api/resource.Quantity
3 averageUtilization op i
M ObjectMetricSource
1 describedObject - CrossVersionObjectReference
2 target - MetricTarget
3 metric - MetricIdentifier
M ObjectMetricStatus
1 metric - MetricIdentifier
2 current - MetricValueStatus
3 describedObject - CrossVersionObjectReference
M PodsMetricSource
1 metric - MetricIdentifier
2 target - MetricTarget
M PodsMetricStatus
1 metric - MetricIdentifier
2 current - MetricValueStatus
M ResourceMetricSource
1 name - s
2 target - MetricTarget
M ResourceMetricStatus
1 name - s
2 current - MetricValueStatus
P policy/v1 policy/v1
M Eviction K
1 metadata o meta/v1.ObjectMeta
2 deleteOptions op meta/v1.DeleteOptions
M PodDisruptionBudget K
1 metadata o meta/v1.ObjectMeta
2 spec o PodDisruptionBudgetSpec
3 status o PodDisruptionBudgetStatus
M PodDisruptionBudgetList K
1 metadata o meta/v1.ListMeta
2 items r PodDisruptionBudget
M PodDisruptionBudgetSpec
1 minAvailable op util/intstr.IntOrString
2 selector op meta/v1.LabelSelector
3 maxUnavailable op util/intstr.IntOrString
4 unhealthyPodEvictionPolicy op s
M PodDisruptionBudgetStatus
1 observedGeneration o l
2 disruptedPods o map:s:meta/v1.Time
3 disruptionsAllowed - i
4 currentHealthy - i
5 desiredHealthy - i
6 expectedPods - i
7 conditions or meta/v1.Condition
P networking/v1 networking.k8s.io/v1
M HTTPIngressPath
1 path o s
3 pathType p s
2 backend - IngressBackend
M HTTPIngressRuleValue
1 paths r HTTPIngressPath
M IPAddress K
1 metadata o meta/v1.ObjectMeta
2 spec o IPAddressSpec
M IPAddressList K
1 metadata o meta/v1.ListMeta
2 items r IPAddress
M IPAddressSpec
1 parentRef op ParentReference
M IPBlock
1 cidr - s
2 except or s
M Ingress K
1 metadata o meta/v1.ObjectMeta
2 spec o IngressSpec
3 status o IngressStatus
M IngressBackend
4 service op IngressServiceBackend
3 resource op core/v1.TypedLocalObjectReference
M IngressClass K
1 metadata o meta/v1.ObjectMeta
2 spec o IngressClassSpec
M IngressClassList K
1 metadata o meta/v1.ListMeta
2 items r IngressClass
M IngressClassParametersReference
1 apiGroup op s
2 kind - s
3 name - s
4 scope p s
5 namespace op s
M IngressClassSpec
1 controller o s
2 parameters op IngressClassParametersReference
M IngressList K
1 metadata o meta/v1.ListMeta
2 items r Ingress
M IngressLoadBalancerIngress
1 ip o s
2 hostname o s
4 ports or IngressPortStatus
M IngressLoadBalancerStatus
1 ingress or IngressLoadBalancerIngress
M IngressPortStatus
1 port - i
2 protocol - s
3 error op s
M IngressRule
1 host o s
2 _ i IngressRuleValue
M IngressRuleValue
1 http op HTTPIngressRuleValue
M IngressServiceBackend
1 name - s
2 port o ServiceBackendPort
M IngressSpec
4 ingressClassName op s
1 defaultBackend op IngressBackend
2 tls or IngressTLS
3 rules or IngressRule
M IngressStatus
1 loadBalancer o IngressLoadBalancerStatus
M IngressTLS
1 hosts or s
2 secretName o s
M NetworkPolicy K
1 metadata o meta/v1.ObjectMeta
2 spec o NetworkPolicySpec
M NetworkPolicyEgressRule
1 ports or NetworkPolicyPort
2 to or NetworkPolicyPeer
M NetworkPolicyIngressRule
1 ports or NetworkPolicyPort
2 from or NetworkPolicyPeer
M NetworkPolicyList K
1 metadata o meta/v1.ListMeta
2 items r NetworkPolicy
M NetworkPolicyPeer
1 podSelector op meta/v1.LabelSelector
2 namespaceSelector op meta/v1.LabelSelector
3 ipBlock op IPBlock
M NetworkPolicyPort
1 protocol op s
2 port op util/intstr.IntOrString
3 endPort op i
M NetworkPolicySpec
1 podSelector - meta/v1.LabelSelector
2 ingress or NetworkPolicyIngressRule
3 egress or NetworkPolicyEgressRule
4 policyTypes or s
M ParentReference
1 group o s
2 resource o s
3 namespace o s
4 name o s
M ServiceBackendPort
1 name o s
2 number o i
M ServiceCIDR K
1 metadata o meta/v1.ObjectMeta
2 spec o ServiceCIDRSpec
3 status o ServiceCIDRStatus
M ServiceCIDRList K
1 metadata o meta/v1.ListMeta
2 items r ServiceCIDR
M ServiceCIDRSpec
1 cidrs or s
M ServiceCIDRStatus
1 conditions or meta/v1.Condition
P rbac/v1 rbac.authorization.k8s.io/v1
M AggregationRule
1 clusterRoleSelectors or meta/v1.LabelSelector
M ClusterRole K
1 metadata o meta/v1.ObjectMeta
2 rules r PolicyRule
3 aggregationRule op AggregationRule
M ClusterRoleBinding K
1 metadata o meta/v1.ObjectMeta
2 subjects or Subject
3 roleRef - RoleRef
M ClusterRoleBindingList K
1 metadata o meta/v1.ListMeta
2 items r ClusterRoleBinding
M ClusterRoleList K
1 metadata o meta/v1.ListMeta
2 items r ClusterRole
M PolicyRule
1 verbs r s
2 apiGroups or s
3 resources or s
4 resourceNames or s
5 nonResourceURLs or s
M Role K
1 metadata o meta/v1.ObjectMeta
2 rules r PolicyRule
M RoleBinding K
1 metadata o meta/v1.ObjectMeta
2 subjects or Subject
3 roleRef - RoleRef
M RoleBindingList K
1 metadata o meta/v1.ListMeta
2 items r RoleBinding
M RoleList K
1 metadata o meta/v1.ListMeta
2 items r Role
M RoleRef
1 apiGroup - s
2 kind - s
3 name - s
M Subject
1 kind - s
2 apiGroup o s
3 name - s
4 namespace o s
P scheduling/v1 scheduling.k8s.io/v1
M PriorityClass K
1 metadata o meta/v1.ObjectMeta
2 value - i
3 globalDefault o b
4 description o s
5 preemptionPolicy op s
M PriorityClassList K
1 metadata o meta/v1.ListMeta
2 items r PriorityClass
P discovery/v1 discovery.k8s.io/v1
M Endpoint
1 addresses r s
2 conditions o EndpointConditions
3 hostname op s
4 targetRef op core/v1.ObjectReference
5 deprecatedTopology o map:s:s
6 nodeName op s
7 zone op s
8 hints op EndpointHints
M EndpointConditions
1 ready op b
2 serving op b
3 terminating op b
M EndpointHints
1 forZones or ForZone
2 forNodes or ForNode
M EndpointPort
1 name op s
2 protocol op s
3 port op i
4 appProtocol op s
M EndpointSlice K
1 metadata o meta/v1.ObjectMeta
4 addressType - s
2 endpoints r Endpoint
3 ports r EndpointPort
M EndpointSliceList K
1 metadata o meta/v1.ListMeta
2 items r EndpointSlice
M ForNode
1 name - s
M ForZone
1 name - s
P events/v1 events.k8s.io/v1
M Event K
1 metadata - meta/v1.ObjectMeta
2 eventTime - meta/v1.MicroTime
3 series op EventSeries
4 reportingController o s
5 reportingInstance o s
6 action o s
7 reason o s
8 regarding o core/v1.ObjectReference
9 related op core/v1.ObjectReference
10 note o s
11 type o s
12 deprecatedSource o core/v1.EventSource
13 deprecatedFirstTimestamp o meta/v1.Time
14 deprecatedLastTimestamp o meta/v1.Time
15 deprecatedCount o i
M EventList K
1 metadata o meta/v1.ListMeta
2 items r Event
M EventSeries
1 count - i
2 lastObservedTime - meta/v1.MicroTime
P coordination/v1 coordination.k8s.io/v1
M Lease K
1 metadata o meta/v1.ObjectMeta
2 spec o LeaseSpec
M LeaseList K
1 metadata o meta/v1.ListMeta
2 items r Lease
M LeaseSpec
1 holderIdentity op s
2 leaseDurationSeconds op i
3 acquireTime op meta/v1.MicroTime
4 renewTime op meta/v1.MicroTime
5 leaseTransitions op i
6 strategy op s
7 preferredHolder op s
P admissionregistration/v1 admissionregistration.k8s.io/v1
M ApplyConfiguration
1 expression o s
M AuditAnnotation
1 key - s
2 valueExpression - s
M ExpressionWarning
2 fieldRef - s
3 warning - s
M JSONPatch
1 expression o s
M MatchCondition
1 name - s
2 expression - s
M MatchResources
1 namespaceSelector op meta/v1.LabelSelector
2 objectSelector op meta/v1.LabelSelector
3 resourceRules or NamedRuleWithOperations
4 excludeResourceRules or NamedRuleWithOperations
7 matchPolicy op s
M MutatingAdmissionPolicy K
1 metadata o meta/v1.ObjectMeta
2 spec o MutatingAdmissionPolicySpec
M MutatingAdmissionPolicyBinding K
1 metadata o meta/v1.ObjectMeta
2 spec o MutatingAdmissionPolicyBindingSpec
M MutatingAdmissionPolicyBindingList K
1 metadata o meta/v1.ListMeta
2 items r MutatingAdmissionPolicyBinding
M MutatingAdmissionPolicyBindingSpec
1 policyName o s
2 paramRef op ParamRef
3 matchResources op MatchResources
M MutatingAdmissionPolicyList K
1 metadata o meta/v1.ListMeta
2 items r MutatingAdmissionPolicy
M MutatingAdmissionPolicySpec
1 paramKind op ParamKind
2 matchConstraints op MatchResources
3 variables or Variable
4 mutations or Mutation
5 failurePolicy op s
6 matchConditions or MatchCondition
7 reinvocationPolicy o s
M MutatingWebhook
1 name - s
2 clientConfig - WebhookClientConfig
3 rules or RuleWithOperations
4 failurePolicy op s
9 matchPolicy op s
5 namespaceSelector op meta/v1.LabelSelector
11 objectSelector op meta/v1.LabelSelector
6 sideEffects p s
7 timeoutSeconds op i
8 admissionReviewVersions r s
10 reinvocationPolicy op s
12 matchConditions or MatchCondition
M MutatingWebhookConfiguration K
1 metadata o meta/v1.ObjectMeta
2 webhooks or MutatingWebhook
M MutatingWebhookConfigurationList K
1 metadata o meta/v1.ListMeta
2 items r MutatingWebhookConfiguration
M Mutation
2 patchType - s
3 applyConfiguration op ApplyConfiguration
4 jsonPatch op JSONPatch
M NamedRuleWithOperations
1 resourceNames or s
2 _ i RuleWithOperations
M ParamKind
1 apiVersion o s
2 kind o s
M ParamRef
1 name o s
2 namespace o s
3 selector op meta/v1.LabelSelector
4 parameterNotFoundAction op s
M Rule
1 apiGroups or s
2 apiVersions or s
3 resources or s
4 scope op s
M RuleWithOperations
1 operations or s
2 _ i Rule
M ServiceReference
1 namespace - s
2 name - s
3 path op s
4 port op i
M TypeChecking
1 expressionWarnings or ExpressionWarning
M ValidatingAdmissionPolicy K
1 metadata o meta/v1.ObjectMeta
2 spec o ValidatingAdmissionPolicySpec
3 status o ValidatingAdmissionPolicyStatus
M ValidatingAdmissionPolicyBinding K
1 metadata o meta/v1.ObjectMeta
2 spec o ValidatingAdmissionPolicyBindingSpec
M ValidatingAdmissionPolicyBindingList K
1 metadata o meta/v1.ListMeta
2 items r ValidatingAdmissionPolicyBinding
M ValidatingAdmissionPolicyBindingSpec
1 policyName o s
2 paramRef op ParamRef
3 matchResources op MatchResources
4 validationActions or s
M ValidatingAdmissionPolicyList K
1 metadata o meta/v1.ListMeta
2 items r ValidatingAdmissionPolicy
M ValidatingAdmissionPolicySpec
1 paramKind op ParamKind
2 matchConstraints op MatchResources
3 validations or Validation
4 failurePolicy op s
5 auditAnnotations or AuditAnnotation
6 matchConditions or MatchCondition
7 variables or Variable
M ValidatingAdmissionPolicyStatus
1 observedGeneration o l
2 typeChecking op TypeChecking
3 conditions or meta/v1.Condition
M ValidatingWebhook
1 name - s
2 clientConfig - WebhookClientConfig
3 rules or RuleWithOperations
4 failurePolicy op s
9 matchPolicy op s
5 namespaceSelector op meta/v1.LabelSelector
10 objectSelector op meta/v1.LabelSelector
6 sideEffects p s
7 timeoutSeconds op i
8 admissionReviewVersions r s
11 matchConditions or MatchCondition
M ValidatingWebhookConfiguration K
1 metadata o meta/v1.ObjectMeta
2 webhooks or ValidatingWebhook
M ValidatingWebhookConfigurationList K
1 metadata o meta/v1.ListMeta
2 items r ValidatingWebhookConfiguration
M Validation
1 expression - s
2 message o s
3 reason op s
4 messageExpression o s
M Variable
1 name - s
2 expression - s
M WebhookClientConfig
3 url op s
1 service op ServiceReference
2 caBundle o y
P authentication/v1 authentication.k8s.io/v1
M BoundObjectReference
1 kind o s
2 apiVersion o s
3 name o s
4 uid o s
M SelfSubjectReview K
1 metadata o meta/v1.ObjectMeta
2 status o SelfSubjectReviewStatus
M SelfSubjectReviewStatus
1 userInfo o UserInfo
M TokenRequest K
1 metadata o meta/v1.ObjectMeta
2 spec - TokenRequestSpec
3 status o TokenRequestStatus
M TokenRequestSpec
1 audiences r s
4 expirationSeconds p l
3 boundObjectRef p BoundObjectReference
M TokenRequestStatus
1 token - s
2 expirationTimestamp - meta/v1.Time
M TokenReview K
1 metadata o meta/v1.ObjectMeta
2 spec - TokenReviewSpec
3 status o TokenReviewStatus
M TokenReviewSpec
1 token o s
2 audiences or s
M TokenReviewStatus
1 authenticated o b
2 user o UserInfo
4 audiences or s
3 error o s
M UserInfo
1 username o s
2 uid o s
3 groups or s
4 extra o map:s:ExtraValue
M ExtraValue W
1 items r s
P authorization/v1 authorization.k8s.io/v1
M FieldSelectorAttributes
1 rawSelector o s
2 requirements or meta/v1.FieldSelectorRequirement
M LabelSelectorAttributes
1 rawSelector o s
2 requirements or meta/v1.LabelSelectorRequirement
M LocalSubjectAccessReview K
1 metadata o meta/v1.ObjectMeta
2 spec - SubjectAccessReviewSpec
3 status o SubjectAccessReviewStatus
M NonResourceAttributes
1 path o s
2 verb o s
M NonResourceRule
1 verbs r s
2 nonResourceURLs or s
M ResourceAttributes
1 namespace o s
2 verb o s
3 group o s
4 version o s
5 resource o s
6 subresource o s
7 name o s
8 fieldSelector op FieldSelectorAttributes
9 labelSelector op LabelSelectorAttributes
M ResourceRule
1 verbs r s
2 apiGroups or s
3 resources or s
4 resourceNames or s
M SelfSubjectAccessReview K
1 metadata o meta/v1.ObjectMeta
2 spec - SelfSubjectAccessReviewSpec
3 status o SubjectAccessReviewStatus
M SelfSubjectAccessReviewSpec
1 resourceAttributes op ResourceAttributes
2 nonResourceAttributes op NonResourceAttributes
M SelfSubjectRulesReview K
1 metadata o meta/v1.ObjectMeta
2 spec - SelfSubjectRulesReviewSpec
3 status o SubjectRulesReviewStatus
M SelfSubjectRulesReviewSpec
1 namespace o s
M SubjectAccessReview K
1 metadata o meta/v1.ObjectMeta
2 spec - SubjectAccessReviewSpec
3 status o SubjectAccessReviewStatus
M SubjectAccessReviewSpec
1 resourceAttributes op ResourceAttributes
2 nonResourceAttributes op NonResourceAttributes
3 user o s
4 groups or s
5 extra o map:s:ExtraValue
6 uid o s
M SubjectAccessReviewStatus
1 allowed - b
4 denied o b
2 reason o s
3 evaluationError o s
M SubjectRulesReviewStatus
1 resourceRules r ResourceRule
2 nonResourceRules r NonResourceRule
3 incomplete - b
4 evaluationError o s
M ExtraValue W
1 items r s
P apiextensions/v1 apiextensions.k8s.io/v1
M ConversionRequest
1 uid - s
2 desiredAPIVersion - s
3 objects r pkg/runtime.RawExtension
M ConversionResponse
1 uid - s
2 convertedObjects r pkg/runtime.RawExtension
3 result - meta/v1.Status
M ConversionReview K
1 request op ConversionRequest
2 response op ConversionResponse
M CustomResourceColumnDefinition
1 name - s
2 type - s
3 format o s
4 description o s
5 priority o i
6 jsonPath - s
M CustomResourceConversion
1 strategy - s
2 webhook op WebhookConversion
M CustomResourceDefinition K
1 metadata o meta/v1.ObjectMeta
2 spec - CustomResourceDefinitionSpec
3 status o CustomResourceDefinitionStatus
M CustomResourceDefinitionCondition
1 type - s
2 status - s
3 lastTransitionTime o meta/v1.Time
4 reason o s
5 message o s
6 observedGeneration o l
M CustomResourceDefinitionList K
1 metadata o meta/v1.ListMeta
2 items r CustomResourceDefinition
M CustomResourceDefinitionNames
1 plural - s
2 singular o s
3 shortNames or s
4 kind - s
5 listKind o s
6 categories or s
M CustomResourceDefinitionSpec
1 group - s
3 names - CustomResourceDefinitionNames
4 scope - s
7 versions r CustomResourceDefinitionVersion
9 conversion op CustomResourceConversion
10 preserveUnknownFields o b
M CustomResourceDefinitionStatus
1 conditions r CustomResourceDefinitionCondition
2 acceptedNames - CustomResourceDefinitionNames
3 storedVersions r s
4 observedGeneration o l
M CustomResourceDefinitionVersion
1 name - s
2 served - b
3 storage - b
7 deprecated o b
8 deprecationWarning op s
4 schema op CustomResourceValidation
5 subresources op CustomResourceSubresources
6 additionalPrinterColumns or CustomResourceColumnDefinition
9 selectableFields or SelectableField
M CustomResourceSubresourceScale
1 specReplicasPath - s
2 statusReplicasPath - s
3 labelSelectorPath op s
M CustomResourceSubresourceStatus
M CustomResourceSubresources
1 status op CustomResourceSubresourceStatus
2 scale op CustomResourceSubresourceScale
M CustomResourceValidation
1 openAPIV3Schema op JSONSchemaProps
M ExternalDocumentation
1 description o s
2 url o s
M JSON X
1 raw - y
M JSONSchemaProps
1 id o s
2 $schema o s
3 $ref op s
4 description o s
5 type o s
6 format o s
7 title o s
8 default op JSON
9 maximum op d
10 exclusiveMaximum o b
11 minimum op d
12 exclusiveMinimum o b
13 maxLength op l
14 minLength op l
15 pattern o s
16 maxItems op l
17 minItems op l
18 uniqueItems o b
19 multipleOf op d
20 enum or JSON
21 maxProperties op l
22 minProperties op l
23 required or s
24 items op JSONSchemaPropsOrArray
25 allOf or JSONSchemaProps
26 oneOf or JSONSchemaProps
27 anyOf or JSONSchemaProps
28 not op JSONSchemaProps
29 properties o map:s:JSONSchemaProps
30 additionalProperties op JSONSchemaPropsOrBool
31 patternProperties o map:s:JSONSchemaProps
32 dependencies o map:s:JSONSchemaPropsOrStringArray
33 additionalItems op JSONSchemaPropsOrBool
34 definitions o map:s:JSONSchemaProps
35 externalDocs op ExternalDocumentation
36 example op JSON
37 nullable o b
38 x-kubernetes-preserve-unknown-fields op b
39 x-kubernetes-embedded-resource o b
40 x-kubernetes-int-or-string o b
41 x-kubernetes-list-map-keys or s
42 x-kubernetes-list-type op s
43 x-kubernetes-map-type op s
44 x-kubernetes-validations or ValidationRule
M JSONSchemaPropsOrArray X
1 schema p JSONSchemaProps
2 jSONSchemas r JSONSchemaProps
M JSONSchemaPropsOrBool X
1 allows - b
2 schema p JSONSchemaProps
M JSONSchemaPropsOrStringArray X
1 schema p JSONSchemaProps
2 property r s
M SelectableField
1 jsonPath - s
M ServiceReference
1 namespace - s
2 name - s
3 path op s
4 port op i
M ValidationRule
1 rule - s
2 message o s
3 messageExpression o s
4 reason op s
5 fieldPath o s
6 optionalOldSelf op b
M WebhookClientConfig
3 url op s
1 service op ServiceReference
2 caBundle o y
M WebhookConversion
2 clientConfig op WebhookClientConfig
3 conversionReviewVersions r s
"""
}
