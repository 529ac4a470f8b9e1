/**
 * The AlphaVantage API key, in Secrets Manager. The stack creates the secret with a placeholder value; the
 * operator puts the real key in once (`aws secretsmanager put-secret-value`, see the README). Later deploys do
 * not overwrite it: CloudFormation only rewrites the value when the template's value changes, and it never does.
 */
import { RemovalPolicy, SecretValue, aws_secretsmanager as secretsmanager, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ALPHAVANTAGE_KEY_PLACEHOLDER } from '../../model/config.ts';
import { stackInstanceSuffix } from './physical-names.ts';

export interface AlphaVantageApiKeyProps {
  /**
   * Resource name prefix (config.prefix); the secret is named `<prefix>/alphavantage-api-key-<stack suffix>`
   * (unique per stack instance: the secret outlives `cdk destroy`).
   */
  readonly prefix: string;
  /**
   * What happens to the secret when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

export class AlphaVantageApiKey extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: AlphaVantageApiKeyProps) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      secretName: `${props.prefix}/alphavantage-api-key-${stackInstanceSuffix(this)}`,
      description: 'AlphaVantage API key (SecretString = the key itself). Set it after the first deploy.',
      // A documented placeholder, not a credential: safe in the template.
      secretStringValue: SecretValue.unsafePlainText(ALPHAVANTAGE_KEY_PLACEHOLDER),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'AlphaVantage issues the key; there is no API to rotate it from a Lambda. The operator replaces the ' +
        'value by hand and the handlers pick it up within 5 minutes (cache TTL).',
    });
  }
}
