// The tests start sample processes and watch host-wide state (/proc/net/unix, loopback ports): one at a time, so that a
// slow shared machine is not also asked to run several nodes at once.
[assembly: DoNotParallelize]
