package io.keyferry.reconciler;

/**
 * Why a worker Job does not get on, as {@link PodDiagnosis} found it from its pods: a reason for conditions and
 * Events (ImagePullBackOff, Unschedulable, CreateContainerConfigError, ServiceAccountMissing, OOMKilled,
 * SidecarRunning, NoReport) and a message that says what was seen and what to do.
 */
public record WorkerProblem(String jobName, String reason, String message) {}
