// Runs in every jest worker before each test file (jest's `setupFiles`).
//
// The AWS SDK for JavaScript v3 writes a warning to stderr when it runs on a
// Node.js release whose support it is ending ("Node.js version support
// policy", AWS SDK for JavaScript v3 Developer Guide). The tests that run the
// command line read its stderr, and the processes they spawn inherit this
// environment, so the warning is silenced here: a plain `npx jest` then runs
// as the test task does, on any Node.js the tests are run with. A value the
// caller set wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
