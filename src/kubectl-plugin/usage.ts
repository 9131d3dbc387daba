// `kubectl ssh --help`, laid out like kubectl's own help pages (description, examples, options,
// usage), since it is read by people who know those.

export const PLUGIN_USAGE = `Open a shell or run a command in a container over ssh, through sshpod: kubectl exec with your
own ssh (its keys, forwarding, scp). The pod is named as kubectl names it; the current context and
namespace are kubectl's.

Examples:
  # A login shell in pod api of the current namespace
  kubectl ssh api

  # As user app, in container sidecar of pod api in namespace prod
  kubectl ssh -n prod -c sidecar app@api

  # A ready pod of a deployment, with a terminal for a full-screen program
  kubectl ssh -t deployment/web -- top

  # A command; its words reach the pod as they are, as with kubectl exec
  kubectl ssh --context eu -n shop sts/db -- sh -c 'echo $HOSTNAME'

  # Copy files and directories, kubectl cp style ([NAMESPACE/]POD:PATH)
  kubectl ssh cp ./build.tgz prod/api:/tmp/
  kubectl ssh cp -n prod api:/var/log/app.log .

Targets:
  POD or pod/NAME, deployment/NAME (deploy/), statefulset/NAME (sts/), daemonset/NAME (ds/),
  replicaset/NAME (rs/), job/NAME. USER@ in front picks the login; without it, the User your ssh
  config sets for *.sshpod hosts, else root.

Options:
  -c, --container='': container name; default: the pod's default-container annotation, else its only container
  --context='': the kubeconfig context to use; default: the current context
  --kubeconfig='': path to the kubeconfig file to use (alone); default: KUBECONFIG, else ~/.kube/config
  -n, --namespace='': namespace; default: the context's namespace, else "default"
  -i, --stdin=true: accepted for kubectl exec habits: ssh always passes stdin
  -t, --tty=false: allocate a terminal (ssh -t); without a command ssh allocates one when stdin is a terminal
  -h, --help: this help
  --version: the sshpod version

Usage:
  kubectl ssh [-n NAMESPACE] [-c CONTAINER] [--context CONTEXT] [-i] [-t] [USER@]POD|TYPE/NAME [-- COMMAND [args...]]
  kubectl ssh cp [-n NAMESPACE] [-c CONTAINER] [--context CONTEXT] SRC DST

Needs the *.sshpod block in ~/.ssh/config (sshpod configure). A pod named "cp" is pod/cp.
`;
