/**
 * Network: where the functions and the MSK cluster live, and the security groups between them.
 *
 * Functions run in private subnets with egress through NAT, because AlphaVantage is on the internet; DynamoDB is
 * reached through a gateway endpoint (free, keeps table traffic off the NAT). MSK with IAM access control listens
 * on 9098 (TLS + SASL/IAM); that is the only port open between the two security groups.
 */
import { aws_ec2 as ec2, aws_logs as logs, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Construct, DependencyGroup } from 'constructs';

/** MSK's port for TLS + SASL/IAM from inside the VPC. */
const MSK_IAM_PORT = 9098;

export interface HortonNetworkProps {
  /**
   * An existing VPC to use instead of creating one (it must have private subnets with egress). Nothing is added
   * to it (no endpoints, no flow logs): it belongs to someone else.
   * @default - a new VPC
   */
  readonly existingVpc?: ec2.IVpc;
  /**
   * Availability zones of a new VPC. MSK Serverless needs subnets in at least two.
   * @default 2
   */
  readonly maxAzs?: number;
  /**
   * NAT gateways of a new VPC (config deployment.natGateways): one is cheapest, one per AZ survives the loss of
   * an AZ.
   * @default 1
   */
  readonly natGateways?: number;
  /**
   * Retention of the VPC flow log of a new VPC.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * What the flow log of a new VPC records: all traffic, rejected traffic only, or nothing (no flow log).
   * @default 'ALL'
   */
  readonly flowLogs?: 'ALL' | 'REJECT' | 'off';
  /**
   * Security group of an existing MSK cluster: the functions' security group is allowed in on 9098. Required
   * with an existing cluster (HortonStack checks): a group created here would be attached to nothing.
   * @default - the security group this construct creates for a new cluster
   */
  readonly existingClusterSecurityGroup?: ec2.ISecurityGroup;
}

export class HortonNetwork extends Construct {
  readonly vpc: ec2.IVpc;
  /** Subnets of the functions and of a new cluster. */
  readonly privateSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
  /** Attached to every function. */
  readonly functionSecurityGroup: ec2.SecurityGroup;
  /**
   * Attached to the cluster (MSK) and, by Lambda, to the event source mappings' pollers, which MSK places in the
   * cluster's subnets with the cluster's security groups.
   */
  readonly clusterSecurityGroup: ec2.ISecurityGroup;
  /**
   * The security groups and every rule between them (separate ingress/egress resources, also on an imported
   * group): what must exist before anything connects to the brokers (the topics resource, the mappings).
   */
  readonly rulesReady = new DependencyGroup();

  constructor(scope: Construct, id: string, props: HortonNetworkProps = {}) {
    super(scope, id);
    this.vpc = props.existingVpc ?? this.createVpc(props);

    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'Horton Lambda functions: HTTPS out (AlphaVantage, AWS APIs), Kafka IAM to the cluster',
      allowAllOutbound: false,
    });
    this.functionSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to AlphaVantage and AWS APIs (through NAT or the DynamoDB gateway endpoint)',
    );

    if (props.existingClusterSecurityGroup) {
      this.clusterSecurityGroup = props.existingClusterSecurityGroup;
    } else {
      const clusterSecurityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', {
        vpc: this.vpc,
        description: 'Horton MSK cluster and its Lambda event source pollers',
        allowAllOutbound: false,
      });
      // Pollers of the event source mappings run with this group and connect to the brokers in it.
      clusterSecurityGroup.addIngressRule(
        clusterSecurityGroup,
        ec2.Port.tcp(MSK_IAM_PORT),
        'Kafka IAM between the brokers and the event source pollers',
      );
      clusterSecurityGroup.addEgressRule(
        clusterSecurityGroup,
        ec2.Port.tcp(MSK_IAM_PORT),
        'Pollers to the brokers (Kafka IAM)',
      );
      // Pollers call Lambda and STS to invoke the functions with the execution role.
      clusterSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Pollers to Lambda and STS');
      this.clusterSecurityGroup = clusterSecurityGroup;
    }
    this.clusterSecurityGroup.addIngressRule(
      this.functionSecurityGroup,
      ec2.Port.tcp(MSK_IAM_PORT),
      'Horton functions to the brokers (Kafka IAM)',
    );
    this.functionSecurityGroup.addEgressRule(
      this.clusterSecurityGroup,
      ec2.Port.tcp(MSK_IAM_PORT),
      'Horton functions to the brokers (Kafka IAM)',
    );
    // Depending on a construct depends on every resource under it: the groups and the rule resources CDK puts
    // beneath them (for an imported group, the ingress rule is its only resource).
    this.rulesReady.add(this.functionSecurityGroup, this.clusterSecurityGroup);
  }

  private createVpc(props: HortonNetworkProps): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: props.maxAzs ?? 2,
      natGateways: props.natGateways ?? 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      gatewayEndpoints: {
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
      // Nothing uses the default security group: strip its rules (a CDK custom resource) so nothing can.
      restrictDefaultSecurityGroup: true,
    });
    const flowLogs = props.flowLogs ?? 'ALL';
    if (flowLogs === 'off') {
      Validations.of(vpc).acknowledge({
        id: 'AwsSolutions-VPC7',
        reason:
          'Flow logs switched off by configuration (deployment.flowLogs = off, the low-cost variant): the VPC ' +
          'holds only Horton functions, whose own logs and X-Ray traces show their traffic.',
      });
      return vpc;
    }
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      retention: props.flowLogRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: flowLogs === 'ALL' ? ec2.FlowLogTrafficType.ALL : ec2.FlowLogTrafficType.REJECT,
    });
    return vpc;
  }
}
