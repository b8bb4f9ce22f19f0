// `skiff ui`: the web view's link for a kubeconfig's server and bearer token.
import { targetFromKubeconfig } from '../cli-clock.ts';
import { uiLink } from './route.ts';

/** The link `skiff ui` prints (stdout) and notes about it (stderr), or the error to report. */
export function uiCommand(kubeconfigPath: string): { link: string; notes: string[] } | { error: string } {
  let target;
  try { target = targetFromKubeconfig(kubeconfigPath); } catch (e) { return { error: (e as Error).message }; }
  const notes = ['the link holds the kubeconfig\'s bearer token: share it only as you would share the kubeconfig'];
  if (target.server.startsWith('https:') && target.ca) {
    notes.push('the server\'s certificate is signed by Skiff\'s own CA (ca.crt in the data directory): trust it in the browser, or accept its warning once');
  }
  return { link: uiLink(target.server, target.token), notes };
}
