// Imported for its effect by every module that makes an AWS SDK client.
// The SDK warns in every process that its releases after January 2027 need Node 22: ours is pinned, so the warning
// says nothing about this install (a user who sets the variable keeps their choice).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export {};
