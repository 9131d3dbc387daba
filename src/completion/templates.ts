// Names of the pod templates for on-demand hosts (`template--NAME.sshpod`): the `*.yaml` files in
// ~/.config/sshpod/templates and the built-in ones. Completion only lists the names; reading a
// template is the on-demand feature's business (src/ondemand/template-file.ts).
export { templateNames, templatesDir } from '../ondemand/template-file.ts';
