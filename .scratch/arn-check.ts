import { App, CfnOutput, CfnParameter, Stack } from 'aws-cdk-lib';
import { MskArns } from '../lib/constructs/msk-arns.ts';
const lit = new MskArns('arn:aws:kafka:eu-west-1:123456789012:cluster/my-cluster/abcd-1234-5');
console.log(lit.topicArn('t1'), lit.groupArn('g'), lit.clusterName);
const app = new App(); const stack = new Stack(app, 'S');
const tok = new MskArns(new CfnParameter(stack, 'P').valueAsString);
new CfnOutput(stack, 'O', { value: tok.topicArn('t1') });
console.log(JSON.stringify(app.synth().getStackByName('S').template.Outputs));
